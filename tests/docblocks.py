"""Find the site's Python blocks and what each one is expected to print.

Extraction is pytest-codeblocks' (``extract_from_file``): fences, their indentation inside tabs
and admonitions, the ``<!--pytest-codeblocks:expected-output-->`` marker and the
``<!--pytest.mark.…-->`` comments before a block. This module adds what the site needs on top:
which fences count as Python, and what the marks mean.
"""

from __future__ import annotations

import ast
import os
import platform
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from pytest_codeblocks import extract_from_file

ROOT = Path(__file__).resolve().parent.parent
RUNNER = Path(__file__).with_name("run_block.py")
DOCS = ROOT / "docs"
PYTHON_FENCES = {"python", "py", "python3"}
LOOPS = ("asyncio", "tinyloop")
# Marks a block may carry, each with a reason a reader can see in the test summary.
KNOWN_MARKS = {"asyncio_only", "expect_error", "skip", "skipif"}


@dataclass(frozen=True)
class DocBlock:
    path: str  # relative to the repository, e.g. "docs/index.md"
    line: int  # the line of the opening fence; the code starts on the next line
    code: str
    expected_output: str | None
    ignore_whitespace: bool
    marks: tuple[tuple[str, str, bool], ...]  # (name, reason, applies on this Python)
    problems: tuple[str, ...]  # marks that are malformed or carry no reason
    mark_texts: tuple[str, ...] = ()  # the marks as written, e.g. 'pytest.mark.skipif(…)'

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def reason(self, mark: str) -> str | None:
        """The reason of ``mark`` if the block carries it and it applies here, else None."""
        for name, reason, applies in self.marks:
            if name == mark and applies:
                return reason
        return None


def fence_language(syntax: str | None) -> str:
    """``python title="x.py" hl_lines="2"`` -> ``python``; ``{.py linenums="1"}`` -> ``py``."""
    words = (syntax or "").strip().lstrip("{").split()
    return words[0].lstrip(".").lower() if words else ""


def is_source_listing(code: str) -> bool:
    """A block made only of ``--8<--`` lines shows a file's source through pymdownx.snippets: it is
    a listing of code that the tests exercise elsewhere, not a program the reader runs."""
    lines = [line.strip() for line in code.splitlines() if line.strip()]
    return bool(lines) and all(line.startswith("--8<--") for line in lines)


def find_blocks(docs: Path = DOCS) -> list[DocBlock]:
    blocks = []
    for md in sorted(docs.rglob("*.md")):
        with warnings.catch_warnings():
            # Its old "pytest-codeblocks:skip" spelling warns; we report it below instead.
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                found = extract_from_file(md)
            except RuntimeError as exc:
                raise RuntimeError(f"{md.relative_to(ROOT)}: {exc}") from None
        for block in found:
            if fence_language(block.syntax) in PYTHON_FENCES and not is_source_listing(block.code):
                marks, problems = _parse_marks(block.marks)
                blocks.append(
                    DocBlock(
                        path=md.relative_to(ROOT).as_posix(),
                        line=block.lineno,
                        code=block.code,
                        expected_output=block.expected_output,
                        ignore_whitespace=block.expected_output_ignore_whitespace,
                        marks=tuple(marks),
                        problems=tuple(problems),
                        mark_texts=tuple(block.marks),
                    )
                )
    return blocks


def blocks_on(pages: list[Path]) -> list[DocBlock]:
    """The Python blocks of ``pages`` (paths as given on a command line), or of every page if
    none is given."""
    wanted = {page.resolve().relative_to(ROOT).as_posix() for page in pages}
    return [block for block in find_blocks() if not wanted or block.path in wanted]


def _parse_marks(texts: list[str]) -> tuple[list[tuple[str, str, bool]], list[str]]:
    marks, problems = [], []
    for text in texts:
        try:
            name, reason, applies = _parse_mark(text)
        except ValueError as exc:
            problems.append(f"<!--{text}-->: {exc}")
            continue
        marks.append((name, reason, applies))
    return marks, problems


def _parse_mark(text: str) -> tuple[str, str, bool]:
    """``pytest.mark.asyncio_only(reason="…")`` -> ("asyncio_only", "…", True)."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        raise ValueError("not a Python expression") from None
    call = node if isinstance(node, ast.Call) else None
    func = call.func if call else node
    if not (isinstance(func, ast.Attribute) and ast.unparse(func.value) == "pytest.mark"):
        raise ValueError("expected pytest.mark.NAME(reason=...)")
    name = func.attr
    if name not in KNOWN_MARKS:
        raise ValueError(f"unknown mark {name!r}; known: {', '.join(sorted(KNOWN_MARKS))}")
    keywords = {kw.arg: kw.value for kw in call.keywords} if call else {}
    reason_node = keywords.get("reason")
    reason = ast.literal_eval(reason_node) if reason_node is not None else ""
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("a reason is required: nothing on the site is skipped without one")
    applies = True
    if name == "skipif":
        if not call or not call.args:
            raise ValueError("skipif needs a condition, e.g. skipif(sys.version_info < (3, 12))")
        condition = ast.unparse(call.args[0])
        applies = bool(eval(condition, {"sys": sys, "platform": platform}))
    return name, reason, applies


def run(block: DocBlock, loop: str, cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``block`` as a reader would, under ``loop`` ("asyncio" or "tinyloop"), in ``cwd``,
    with warnings as errors. Raises ``subprocess.TimeoutExpired`` after ``timeout`` seconds."""
    command = [sys.executable, "-W", "error", str(RUNNER), loop, str(ROOT / block.path)]
    return subprocess.run(
        [*command, str(block.line)],
        input=block.code,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=_reader_environment(),
        timeout=timeout,
    )


def _reader_environment() -> dict[str, str]:
    """The environment of a reader running the block: none of the test run's Python settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST"))}
    env["PYTHONIOENCODING"] = "utf-8"
    return env
