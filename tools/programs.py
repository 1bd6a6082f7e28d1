"""The site's programs as downloads a reader runs at home: one zip file per page that has
programs, and one for the whole site (``hooks/downloads.py`` adds them to every build).

A download holds each Python block of its pages as a program (``programs/time-26.py``: the page
and the line of its code fence), what the page shows it prints (``programs/time-26.out``),
``manifest.json`` (the programs with their marks: versions, asyncio only, expected errors), a copy
of ``tinyloop/``, and ``run_programs.py``, which runs them with nothing but the standard library.
The files are written in a fixed order with a fixed date, so the same pages make the same bytes.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from tests.docblocks import ROOT, DocBlock

RUNNER = Path(__file__).with_name("run_programs.py")
SITE_BUNDLE = "all-programs.zip"
FOLDER = "downloads"  # where the site serves them
_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip file can record
README = """\
The programs of {title}, with what each prints on the site.

Run them with Python 3.11 or newer (nothing to install):

    python run_programs.py

Each runs under your Python's asyncio and under tinyloop (the copy in tinyloop/). For each, the
runner says same, different (with the difference) or skipped (and why). The site's page
"Run the programs at home" says what to expect on macOS and Windows, and how to report a
difference.
"""


def program_name(block: DocBlock) -> str:
    """``docs/build/selectors.md:85`` -> ``build-selectors-85``."""
    page = PurePosixPath(block.path).relative_to("docs").with_suffix("")
    return "-".join([*page.parts, str(block.line)])


def bundle_name(page: str) -> str:
    """The download of one page: ``docs/build/selectors.md`` -> ``build-selectors.zip``."""
    return "-".join(PurePosixPath(page).relative_to("docs").with_suffix("").parts) + ".zip"


def write_bundle(blocks: list[DocBlock], path: Path, title: str) -> None:
    """Write the download of ``blocks`` (one page's, or the site's) to ``path``."""
    files: dict[str, bytes] = {
        "README.txt": README.format(title=title).encode(),
        "run_programs.py": RUNNER.read_bytes(),
        "manifest.json": json.dumps({"programs": [_entry(b) for b in blocks]}, indent=1).encode(),
    }
    for block in blocks:
        name = program_name(block)
        files[f"programs/{name}.py"] = block.code.encode()
        files[f"programs/{name}.out"] = (block.expected_output or "").encode()
    for source in _tinyloop_files():
        files[source.relative_to(ROOT).as_posix()] = source.read_bytes()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in sorted(files):
            bundle.writestr(zipfile.ZipInfo(name, _DATE), files[name])


def _entry(block: DocBlock) -> dict[str, object]:
    name = program_name(block)
    return {
        "name": name,
        "page": block.path,
        "line": block.line,
        "program": f"programs/{name}.py",
        "expected": f"programs/{name}.out",
        "skip": block.reason("skip") or "",
        "skipif": block.skipif_conditions(),
        "asyncio_only": block.reason("asyncio_only") or "",
        "expect_error": block.reason("expect_error") is not None,
    }


def _tinyloop_files() -> Iterable[Path]:
    return sorted((ROOT / "tinyloop").rglob("*.py"))
