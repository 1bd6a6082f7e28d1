"""``python -m tools.lint_blocks [docs/PAGE.md ...]``: ``ruff check`` on the Python blocks of the
site's pages, with each finding named by its Markdown file and line.

``ruff format`` reads Markdown itself (it formats the Python blocks in place); ``ruff check`` does
not, so this writes each block to a file of its own, checks them all in one run with the
project's settings, and maps every finding back to the page. Source listings included from files
(``--8<--``) are not blocks here: their files are checked where they live.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.docblocks import ROOT, DocBlock, blocks_on

OLDEST_MINOR = 11  # the site supports Python 3.11 to 3.15


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.lint_blocks", description=__doc__)
    parser.add_argument("pages", nargs="*", type=Path, help="pages to check (default: all)")
    options = parser.parse_args(argv)
    try:
        blocks = blocks_on(options.pages)
    except ValueError as exc:
        parser.error(str(exc))
    findings = check(blocks)
    for finding in findings:
        print(finding)
    print(f"ruff check: {len(blocks)} blocks, {len(findings)} findings", file=sys.stderr)
    return 1 if findings else 0


def target_version(block: DocBlock) -> str:
    """The oldest Python the block runs on: ``py312`` for a block marked
    ``skipif(sys.version_info < (3, 12), …)``, else the oldest the site supports, ``py311``."""
    versions = [
        int(minor)
        for text in block.mark_texts
        if text.startswith("pytest.mark.skipif")
        for minor in re.findall(r"version_info\s*<\s*\(3,\s*(\d+)\)", text)
    ]
    return f"py3{max(versions, default=OLDEST_MINOR)}"


def check(blocks: list[DocBlock]) -> list[str]:
    """Every finding of ``ruff check`` in ``blocks``, as ``docs/PAGE.md:LINE:COL: CODE message``."""
    findings: list[str] = []
    for version in sorted({target_version(block) for block in blocks}):
        findings += _check([b for b in blocks if target_version(b) == version], version)
    return sorted(findings)


def _check(blocks: list[DocBlock], version: str) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for number, block in enumerate(blocks):
            file = Path(folder) / f"block_{number}.py"
            file.write_text(block.code, encoding="utf-8")
            files[file.name] = block
        if not files:
            return []
        settings = ["--config", str(ROOT / "pyproject.toml"), "--output-format", "json"]
        settings += ["--target-version", version]
        result = subprocess.run(
            [sys.executable, "-m", "ruff", "check", *settings, "--no-cache", *sorted(files)],
            capture_output=True,
            text=True,
            cwd=folder,
        )
    if result.returncode not in (0, 1):
        raise RuntimeError(f"ruff check failed to run:\n{result.stderr}")
    findings = []
    for diagnostic in json.loads(result.stdout):
        block = files[Path(diagnostic["filename"]).name]
        row, column = diagnostic["location"]["row"], diagnostic["location"]["column"]
        what = f"{diagnostic['code']} {diagnostic['message']}"
        findings.append(f"{block.path}:{block.line + row}:{column}: {what}")
    return findings


if __name__ == "__main__":
    sys.exit(main())
