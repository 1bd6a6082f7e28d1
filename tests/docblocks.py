"""Find the site's Python blocks and what each one is expected to print.

Extraction is pytest-codeblocks' (``extract_from_file``): fences, their indentation inside tabs
and admonitions, the ``<!--pytest-codeblocks:expected-output-->`` marker and the
``<!--pytest.mark.…-->`` comments before a block. This module adds what the site needs on top:
which fences count as Python, and what the marks mean.
"""

from __future__ import annotations

import ast
import atexit
import difflib
import functools
import os
import platform
import shutil
import subprocess
import sys
import tempfile
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
MARKER = "<!--pytest-codeblocks:expected-output-->"
OUTPUT_LANGUAGES = {"text"}  # the fence after a marker: what the block prints
# The longest one run of a block may take, in seconds, before it counts as hanging. The slowest
# block took 5.3 s under `make test-stress` (about 2 s on a quiet machine): CONTRIBUTING.md.
BLOCK_TIME_LIMIT = float(os.environ.get("BLOCK_TIME_LIMIT", "30"))


@dataclass(frozen=True)
class DocBlock:
    path: str  # relative to the repository, e.g. "docs/index.md"
    line: int  # the line of the opening fence; the code starts on the next line
    code: str
    expected_output: str | None
    ignore_whitespace: bool
    marks: tuple[tuple[str, str, bool], ...]  # (name, reason, applies on this Python)
    problems: tuple[str, ...]  # "page:line: what is wrong" with its marks or its output fence
    mark_texts: tuple[str, ...] = ()  # the marks as written, e.g. 'pytest.mark.skipif(…)'
    output_line: int | None = None  # the page's line of the output block's first line

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def skipif_conditions(self) -> list[tuple[str, str]]:
        """Each ``skipif`` mark's condition and reason, as written: ``("sys.version_info <
        (3, 12)", "…")``, for running the block elsewhere (the download's runner)."""
        found = []
        for text in self.mark_texts:
            call = ast.parse(text, mode="eval").body
            if isinstance(call, ast.Call) and ast.unparse(call.func) == "pytest.mark.skipif":
                reason = next(kw.value for kw in call.keywords if kw.arg == "reason")
                found.append((ast.unparse(call.args[0]), ast.literal_eval(reason)))
        return found

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
    """The Python blocks of every page under ``docs``, named from the folder above it
    (``docs/time.md``)."""
    return [block for md in sorted(docs.rglob("*.md")) for block in blocks_in(md, docs.parent)]


def blocks_on(pages: list[Path]) -> list[DocBlock]:
    """The Python blocks of ``pages`` (paths as given on a command line), or of every page if
    none is given. A page given that has no Python block is a ValueError: a mistyped name."""
    if not pages:
        return find_blocks()
    blocks = [block for page in pages for block in blocks_in(page)]
    without = {page_label(page) for page in pages} - {block.path for block in blocks}
    if without:
        raise ValueError(f"no Python block in: {', '.join(sorted(without))}")
    return blocks


def page_label(md: Path, root: Path = ROOT) -> str:
    """How messages name a page: ``docs/time.md`` inside ``root``, else the path itself."""
    md, root = md.resolve(), root.resolve()
    return md.relative_to(root).as_posix() if md.is_relative_to(root) else str(md)


def blocks_in(md: Path, root: Path = ROOT) -> list[DocBlock]:
    """The Python blocks of one page, each with the problems of its marks and output fence."""
    label = page_label(md, root)
    with warnings.catch_warnings():
        # Its old "pytest-codeblocks:skip" spelling warns; we report it below instead.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            found = extract_from_file(md)
        except RuntimeError as exc:
            raise RuntimeError(f"{label}: {exc}") from None
    lines = md.read_text(encoding="utf-8").splitlines(keepends=True)
    blocks = []
    for block in found:
        if fence_language(block.syntax) in PYTHON_FENCES and not is_source_listing(block.code):
            marks, mark_problems = _parse_marks(block.marks)
            problems = [f"{label}:{block.lineno}: {problem}" for problem in mark_problems]
            output_line = None
            try:
                output = output_fence(lines, block.lineno - 1)
            except PageError as exc:
                problems.append(f"{label}:{exc.line}: {exc}")
            else:
                output_line = output.opening + 2 if output else None  # 1-based, after the fence
            blocks.append(
                DocBlock(
                    path=label,
                    line=block.lineno,
                    code=block.code,
                    expected_output=block.expected_output,
                    ignore_whitespace=block.expected_output_ignore_whitespace,
                    marks=tuple(marks),
                    problems=tuple(problems),
                    mark_texts=tuple(block.marks),
                    output_line=output_line,
                )
            )
    return blocks


class PageError(ValueError):
    """The Markdown around a block is not what the harness can read, at ``line`` (1-based)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Fence:
    """A fenced block of a page, by 0-based line numbers of its opening and closing fences."""

    opening: int
    closing: int
    indent: str
    fence: str  # the opening run of backticks or tildes, e.g. "```"
    language: str


def fence_at(lines: list[str], opening: int) -> Fence | None:
    """The fenced block that opens on ``lines[opening]``, or None if no fence opens there. It
    closes, as in Python-Markdown, at the first line made only of at least as many of the same
    character."""
    stripped = lines[opening].lstrip()
    char = stripped[:1]
    fence = char * (len(stripped) - len(stripped.lstrip(char))) if char in ("`", "~") else ""
    if len(fence) < 3:
        return None
    indent = lines[opening][: len(lines[opening]) - len(stripped)]
    for closing in range(opening + 1, len(lines)):
        candidate = lines[closing].strip()
        if candidate.startswith(fence) and candidate == char * len(candidate):
            return Fence(opening, closing, indent, fence, fence_language(stripped[len(fence) :]))
    raise PageError(opening + 1, "the fence opened here is never closed")


def output_fence(lines: list[str], opening: int) -> Fence | None:
    """The output fence after the expected-output marker that follows the block opening on
    ``lines[opening]`` (0-based); None if no marker follows the block before the next fence. A
    marker followed by anything but a ``text`` fence is a PageError: the harness would compare
    the block's output with whatever fence comes next on the page."""
    block = fence_at(lines, opening)
    if block is None:
        raise PageError(opening + 1, "no code fence opens here")
    marker = _next_marker(lines, block.closing + 1)
    if marker is None:
        return None
    start = _next_filled(lines, marker + 1)
    if start is None:
        raise PageError(marker + 1, "the expected-output marker ends the page; ```text must follow")
    found = fence_at(lines, start)
    if found is None:
        shown = lines[start].strip()[:40]
        raise PageError(
            marker + 1, f"the expected-output marker is followed by {shown!r}, not a ```text fence"
        )
    if found.language not in OUTPUT_LANGUAGES:
        raise PageError(
            marker + 1,
            f"the expected-output marker is followed by a {found.language or 'plain'} fence "
            f"(line {start + 1}), not ```text: is an output block missing?",
        )
    return found


def _next_marker(lines: list[str], start: int) -> int | None:
    """The expected-output marker that belongs to the block ending before ``start``: the first
    one before the next fence (prose, such as the notes of an annotated block, may come
    between), as pytest-codeblocks reads it."""
    for number in range(start, len(lines)):
        stripped = lines[number].strip()
        if stripped == MARKER:
            return number
        if stripped.startswith(("```", "~~~")):
            return None
    return None


def _next_filled(lines: list[str], start: int) -> int | None:
    return next((i for i in range(start, len(lines)) if lines[i].strip()), None)


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


def run(
    block: DocBlock, loop: str, cwd: Path, timeout: float, nice: int = 0
) -> subprocess.CompletedProcess[str]:
    """Run ``block`` as a reader would, under ``loop`` ("asyncio" or "tinyloop"), in ``cwd``,
    with warnings as errors, at the priority ``nice`` adds. Raises ``subprocess.TimeoutExpired``
    after ``timeout`` seconds.

    ``-I -S``: the block sees the standard library and tinyloop, as a reader's copy of the
    programs has them (tinyloop comes with it). Neither the project's other folders (``tests``,
    ``tools``) nor the packages of its virtual environment are importable."""
    command = ["nice", "-n", str(nice)] if nice else []  # a lower priority: a slower machine
    command += [sys.executable, "-I", "-S", "-W", "error", str(RUNNER), loop]
    command += [str(ROOT / block.path), str(block.line), str(_tinyloop_only())]
    return subprocess.run(
        command,
        input=block.code,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=_reader_environment(),
        timeout=timeout,
    )


def check(
    block: DocBlock, loop: str, cwd: Path, timeout: float = BLOCK_TIME_LIMIT, nice: int = 0
) -> str | None:
    """Run ``block`` under ``loop`` in ``cwd``; None if it did what the page says, else what went
    wrong: the page and line, the loop, and the difference from what the page shows."""
    if block.problems:
        return "\n".join(block.problems)
    try:
        result = run(block, loop, cwd, timeout, nice)
    except subprocess.TimeoutExpired as exc:
        printed = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        return (
            f"{block.where}: the block under {loop} was still running after {timeout:.0f} s "
            f"and was killed (does it hang?); it had printed:\n{printed}"
        )
    expect_error = block.reason("expect_error") is not None
    if (result.returncode != 0) != expect_error:
        what = "exited with status 0" if expect_error else f"failed (exit {result.returncode})"
        return f"{block.where}: the block under {loop} {what}; the page does not expect that\n" + (
            result.stderr
        )
    expected = block.expected_output if block.expected_output is not None else ""
    if _normalise(result.stdout, block.ignore_whitespace) == _normalise(
        expected, block.ignore_whitespace
    ):
        return None
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            result.stdout.splitlines(keepends=True),
            fromfile=f"{block.where} (the page shows)",
            tofile=f"{loop} (the block printed)",
        )
    )
    if block.expected_output is None:
        diff = "the page shows no output block after it, so it must print nothing\n" + diff
    else:
        diff = f"the first line that differs: {_first_difference(block, result.stdout)}\n{diff}"
    return (
        f"{block.where}: under {loop} the block prints something other than the page shows\n"
        f"{diff}\n{result.stderr}"
    )


def _first_difference(block: DocBlock, printed: str) -> str:
    """``docs/time.md:50``: the page's line where the output block and ``printed`` part."""
    shown = (block.expected_output or "").splitlines()
    lines = printed.splitlines()
    pairs = enumerate(zip(shown, lines, strict=False))
    index = next((i for i, (one, other) in pairs if one != other), min(len(shown), len(lines)))
    return f"{block.path}:{(block.output_line or 0) + index}"


def _normalise(text: str, ignore_whitespace: bool) -> str:
    return " ".join(text.split()) if ignore_whitespace else text


@functools.cache
def _tinyloop_only() -> Path:
    """A folder that holds tinyloop and nothing else, for the block's ``sys.path``."""
    folder = Path(tempfile.mkdtemp(prefix="tinyloop-only-"))
    (folder / "tinyloop").symlink_to(ROOT / "tinyloop", target_is_directory=True)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _reader_environment() -> dict[str, str]:
    """The environment of a reader running the block: none of the test run's Python settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST"))}
    env["PYTHONIOENCODING"] = "utf-8"
    return env
