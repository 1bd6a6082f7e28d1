"""The site's references to CPython's Python source: found, checked and turned into links.

A page names a definition in CPython's ``Lib/`` in one form, a link whose text is the file and the
definition and whose target names the versions it speaks of::

    [`asyncio/base_events.py::BaseEventLoop._run_once`](cpython:3.11-3.15)
    [`selectors.py::EpollSelector.select`](cpython:3.12)
    [`asyncio/runners.py`](cpython:3.11-3.15)                  (a whole file)

Versions are one minor (``3.12``) or a range (``3.11-3.15``). A quoted excerpt is a text fence
whose title names the same three things::

    ```text title="CPython 3.12, Lib/asyncio/tasks.py, sleep (quoted)"

A line ``...`` in a quote stands for lines left out, and a line holding `` ...`` is a line cut
short: the part before it must begin a line of the source, and the lines after it may be left out.

Each reference is checked against the ``Lib/`` of every version it names, as found by
``tools.pythons.find()`` (the interpreters of ``make test-all``): the file exists, the definition
is there (a class, a function, or a name assigned at module or class level, found by ``ast``), and
a quote's lines still read that way inside it, in order. A version this machine lacks is not
checked here (``make pythons`` installs it; CI has all five). The hook ``hooks/sources.py`` turns
each reference into a link to the definition's line at the newest named version's tag, and
fails the strict build, naming page and line, on one that no longer matches.

References to C source (``Modules/_asynciomodule.c``) cannot be checked this way. A page that
names a C file says "C source" in the same paragraph (a problem otherwise, naming page and line),
and the marker ``<!-- c-source-list -->`` on "Reading the real loop" becomes the one list of them:
each C file, with the pages and sections that name it.

    python -m tools.sources [docs/PAGE.md ...]   # check every reference; list the problems
"""

from __future__ import annotations

import ast
import functools
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tools import pythons

ROOT = Path(__file__).resolve().parent.parent
REPOSITORY = "https://github.com/python/cpython/blob"

REFERENCE = re.compile(r"\[`(?P<target>[^`\]]+)`\]\(cpython:(?P<versions>[^)\s]*)\)")
QUOTE = re.compile(
    r'^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*text\s+title="CPython (?P<versions>[^,"]+), '
    r'Lib/(?P<target>[^,"]+), (?P<name>[^ ",]+) \(quoted[^)"]*\)"'
)
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})")
VERSION_RANGE = re.compile(r"^(?P<first>3\.\d+)(?:-(?P<last>3\.\d+))?$")
GAP = "..."  # a quote's line standing for lines left out
C_FILE = re.compile(r"\b(?P<file>(?:Modules|Objects|Python|Include)/[\w/]+\.[ch])\b")
C_SAID = re.compile(r"\bC source\b", re.IGNORECASE)
C_LIST = "<!-- c-source-list -->"
ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.|\|)\s")  # a list item or a table row: a paragraph of its own
HEADING = re.compile(r"^#{1,6} +(?P<title>.*?)(?: +\{#(?P<anchor>[\w-]+)\})? *$")


@dataclass(frozen=True)
class Reference:
    page: str  # docs/time.md
    line: int  # 1-based line of the page where the reference (or the quote's fence) is
    path: str  # inside Lib/: asyncio/base_events.py
    name: str  # BaseEventLoop._run_once, or "" for the whole file
    versions: tuple[str, ...]  # ("3.11", "3.12", ...), or () if the form was wrong
    quoted: tuple[str, ...] = ()  # a quote's lines, as the page shows them
    written: str = ""  # the versions as the page wrote them, for messages

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def label(self) -> str:
        return f"{self.path}::{self.name}" if self.name else self.path


def parse_versions(text: str) -> tuple[str, ...]:
    """``3.11-3.15`` → every supported minor from 3.11 to 3.15; () if not one of the two forms."""
    text = text.strip().replace(" to ", "-")
    match = VERSION_RANGE.match(text)
    if not match:
        return ()
    first, last = match["first"], match["last"] or match["first"]
    if first not in pythons.SUPPORTED or last not in pythons.SUPPORTED:
        return ()
    start, end = pythons.SUPPORTED.index(first), pythons.SUPPORTED.index(last)
    return pythons.SUPPORTED[start : end + 1] if start <= end else ()


def _split(target: str) -> tuple[str, str]:
    path, _, name = target.strip().partition("::")
    return path.strip(), name.strip()


def find_references(text: str, page: str) -> Iterator[Reference]:
    """Every reference and quote of one page's Markdown, in page order."""
    lines = text.splitlines()
    fence: str | None = None  # the fence of the code block we are in, if any
    number = 0
    while number < len(lines):
        line = lines[number]
        if fence is None:
            quote = QUOTE.match(line)
            if quote:
                body, end = _fence_body(lines, number, quote["fence"])
                path, name = quote["target"].strip(), quote["name"]
                versions = parse_versions(quote["versions"])
                yield Reference(
                    page, number + 1, path, name, versions, tuple(body), quote["versions"]
                )
                number = end + 1
                continue
            opening = FENCE.match(line)
            if opening:
                fence = opening["fence"]
            else:
                for match in REFERENCE.finditer(line):
                    path, name = _split(match["target"])
                    written = match["versions"]
                    yield Reference(
                        page, number + 1, path, name, parse_versions(written), (), written
                    )
        elif line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
            fence = None
        number += 1


def _fence_body(lines: list[str], start: int, fence: str) -> tuple[list[str], int]:
    """The lines inside the fence opened at ``start``, and the index of its closing line."""
    body: list[str] = []
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
            return body, index
        body.append(lines[index])
    return body, len(lines) - 1


@dataclass(frozen=True)
class CMention:
    page: str  # docs/real-loop.md
    line: int  # 1-based line where the C file is named
    file: str  # Modules/_asynciomodule.c
    said: bool  # the paragraph says "C source"
    section: str  # the anchor of the section it is in, "" before the first heading


def _paragraphs(text: str) -> Iterator[tuple[int, list[str], str]]:
    """Each paragraph of prose outside code fences: its first line (1-based), its lines, and the
    anchor of the section it is in."""
    lines = text.splitlines()
    fence: str | None = None
    section, start = "", 0
    paragraph: list[str] = []
    for number, line in enumerate(lines):
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                fence = None
            continue
        opening = FENCE.match(line)
        heading = HEADING.match(line)
        item = ITEM.match(line)
        if opening or heading or item or not stripped:
            if paragraph:
                yield start + 1, paragraph, section
            paragraph = []
            if opening:
                fence = opening["fence"]
            if heading:
                section = heading["anchor"] or section
            if not item:
                continue
        if not paragraph:
            start = number
        paragraph.append(line)
    if paragraph:
        yield start + 1, paragraph, section


def c_mentions(text: str, page: str) -> Iterator[CMention]:
    """Every C file a page names in its prose, in page order."""
    for first, paragraph, section in _paragraphs(text):
        said = bool(C_SAID.search(" ".join(paragraph)))
        for offset, line in enumerate(paragraph):
            for match in C_FILE.finditer(line):
                yield CMention(page, first + offset, match["file"], said, section)


def c_problems(mentions: list[CMention]) -> list[str]:
    return [
        f"{m.page}:{m.line}: {m.file} is named without saying, in its paragraph, "
        "that it is C source"
        for m in mentions
        if not m.said
    ]


def c_source_list(mentions: list[CMention], page: str) -> str:
    """The Markdown list of the C files the site names, each with a link to every section that
    names it, relative to ``page`` (docs/real-loop.md)."""
    places: dict[str, dict[str, None]] = {}
    for m in mentions:
        href = os.path.relpath(m.page, os.path.dirname(page))
        places.setdefault(m.file, {})[href + (f"#{m.section}" if m.section else "")] = None
    return "\n".join(
        f"- `{file}` (C source), named in " + ", ".join(f"[{h}]({h})" for h in places[file])
        for file in sorted(places)
    )


@dataclass(frozen=True)
class Python:
    version: str  # 3.12.1
    lib: Path  # its Lib/ (the folder that holds asyncio/)

    @property
    def tag(self) -> str:
        return f"v{self.version}"


@functools.cache
def installed() -> dict[str, Python]:
    """The ``Lib/`` of each supported minor this machine has: ``{"3.12": Python(...)}``."""
    found = {}
    for minor, (version, executable) in pythons.find().items():
        done = subprocess.run(
            [executable, "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        found[minor] = Python(version, Path(done.stdout.strip()))
    return found


@functools.cache
def _module(file: Path) -> ast.Module | None:
    try:
        return ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    except (OSError, SyntaxError):
        return None


def _defined_in(body: list[ast.stmt], name: str) -> ast.stmt | None:
    """The first statement of ``body`` that defines ``name``, looking inside ``if``, ``try``
    and ``with`` blocks (``EpollSelector`` is defined under ``if hasattr(select, 'epoll')``)."""
    for statement in body:
        if isinstance(statement, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            if statement.name == name:
                return statement
        elif isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if any(isinstance(target, ast.Name) and target.id == name for target in targets):
                return statement
        nested: list[list[ast.stmt]] = []
        if isinstance(statement, ast.If | ast.With | ast.For | ast.While):
            nested = (
                [statement.body, statement.orelse]
                if hasattr(statement, "orelse")
                else [statement.body]
            )
        elif isinstance(statement, ast.Try):
            nested = [
                statement.body,
                *(h.body for h in statement.handlers),
                statement.orelse,
                statement.finalbody,
            ]
        for block in nested:
            found = _defined_in(block, name)
            if found is not None:
                return found
    return None


def definition(lib: Path, path: str, name: str) -> tuple[int, int] | str:
    """The first and last line of ``name`` in ``lib/path``, or a message saying what is missing."""
    file = lib / path
    if not file.is_file():
        return f"no file Lib/{path}"
    module = _module(file)
    if module is None:
        return f"Lib/{path} does not parse"
    if not name:
        return 1, len(file.read_text(encoding="utf-8").splitlines())
    body: list[ast.stmt] = module.body
    node: ast.stmt | None = None
    for part in name.split("."):
        node = _defined_in(body, part)
        if node is None:
            return f"Lib/{path} defines no {name}"
        body = node.body if isinstance(node, ast.ClassDef) else []
    assert node is not None
    decorators = getattr(node, "decorator_list", [])
    first = min([node.lineno, *(decorator.lineno for decorator in decorators)])
    return first, node.end_lineno or node.lineno


def _reads_as(quoted: str, source: str) -> bool:
    """A quoted line matches a line of the source: the same, or its beginning if cut short."""
    if " " + GAP in quoted:
        return source.startswith(quoted.split(" " + GAP, 1)[0])
    return source == quoted


def quote_problem(quoted: tuple[str, ...], source: list[str]) -> str | None:
    """None if the quote's lines read, in order, as lines of ``source``; else the first that
    does not. Blank lines are ignored and indentation is not compared (a quote is dedented)."""
    wanted = [line.strip() for line in quoted if line.strip()]
    have = [line.strip() for line in source if line.strip()]
    position = 0
    gap = True  # the first quoted line may be anywhere in the definition
    for line in wanted:
        if line == GAP:
            gap = True
            continue
        last = len(have) if gap else min(position + 1, len(have))
        found = next((i for i in range(position, last) if _reads_as(line, have[i])), None)
        if found is None:
            return line
        position = found + 1
        gap = " " + GAP in line  # what was cut short may run over lines
    return None


def problems(reference: Reference, found: dict[str, Python] | None = None) -> list[str]:
    """What no longer matches, one message per version; [] if the reference holds everywhere
    this machine can check."""
    found = installed() if found is None else found
    if not reference.versions:
        return [
            f"{reference.where}: {reference.label}: versions {reference.written!r} are not one "
            f"minor (3.12) or a range (3.11-3.15) of {', '.join(pythons.SUPPORTED)}"
        ]
    messages = []
    for minor in reference.versions:
        if minor not in found:
            continue
        lib = found[minor].lib
        span = definition(lib, reference.path, reference.name)
        if isinstance(span, str):
            messages.append(f"{reference.where}: {reference.label} ({minor}): {span}")
            continue
        if reference.quoted:
            lines = (lib / reference.path).read_text(encoding="utf-8").splitlines()
            differs = quote_problem(reference.quoted, lines[span[0] - 1 : span[1]])
            if differs is not None:
                version = found[minor].version
                messages.append(
                    f"{reference.where}: {reference.label} ({minor}): the quoted line "
                    f"{differs!r} does not read that way in Lib/{reference.path} {version}"
                )
    return messages


def url(reference: Reference, found: dict[str, Python] | None = None) -> str:
    """A link to the definition at the tag of the newest named version this machine has (its
    line is known only there), else to the newest named version's branch."""
    found = installed() if found is None else found
    here = [minor for minor in reference.versions if minor in found]
    if not here:
        newest = reference.versions[-1] if reference.versions else pythons.SUPPORTED[-1]
        return f"{REPOSITORY}/{newest}/Lib/{reference.path}"
    python = found[here[-1]]
    span = definition(python.lib, reference.path, reference.name)
    anchor = f"#L{span[0]}" if not isinstance(span, str) and reference.name else ""
    return f"{REPOSITORY}/{python.tag}/Lib/{reference.path}{anchor}"


def _title(reference: Reference) -> str:
    if not reference.versions:
        return "CPython"
    first, last = reference.versions[0], reference.versions[-1]
    return f"CPython {first}" if first == last else f"CPython {first} to {last}"


def render(text: str, page: str, found: dict[str, Python] | None = None) -> tuple[str, list[str]]:
    """The page's Markdown with each reference's target made a link to CPython's repository,
    and the problems of its references."""
    found = installed() if found is None else found
    references = list(find_references(text, page))
    lines = text.splitlines(keepends=True)
    links: dict[int, list[Reference]] = {}
    for reference in references:
        if not reference.quoted:
            links.setdefault(reference.line, []).append(reference)
    for number, on_line in links.items():
        parts = REFERENCE.split(lines[number - 1])  # text, target, versions, text, ...
        for index, reference in enumerate(on_line):
            link = f'[`{parts[3 * index + 1]}`]({url(reference, found)} "{_title(reference)}")'
            parts[3 * index + 1], parts[3 * index + 2] = link, ""
        lines[number - 1] = "".join(parts)
    messages = [message for reference in references for message in problems(reference, found)]
    mentions = list(c_mentions(text, page))
    messages += c_problems(mentions)
    rendered = "".join(lines)
    if C_LIST in rendered:
        rendered = rendered.replace(C_LIST, c_source_list(c_mentions_in(pages()), page))
    return rendered, messages


def pages(root: Path = ROOT) -> list[Path]:
    return sorted((root / "docs").rglob("*.md"))


def references_in(paths: list[Path], root: Path = ROOT) -> list[Reference]:
    found: list[Reference] = []
    for path in paths:
        page = path.resolve().relative_to(root).as_posix()
        found.extend(find_references(path.read_text(encoding="utf-8"), page))
    return found


def c_mentions_in(paths: list[Path], root: Path = ROOT) -> list[CMention]:
    found: list[CMention] = []
    for path in paths:
        page = path.resolve().relative_to(root).as_posix()
        found.extend(c_mentions(path.read_text(encoding="utf-8"), page))
    return found


def summary(references: list[Reference], found: dict[str, Python] | None = None) -> str:
    """How many references and quotes were checked, against which versions, and which this
    machine lacks."""
    found = installed() if found is None else found
    quotes = sum(1 for reference in references if reference.quoted)
    missing = [minor for minor in pythons.SUPPORTED if minor not in found]
    text = (
        f"{len(references) - quotes} references and {quotes} quotes checked against "
        f"{', '.join(python.version for python in found.values())}"
    )
    return text + (f"; not on this machine: {', '.join(missing)} (make pythons)" if missing else "")


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or pages()
    references = references_in(paths)
    messages = [message for reference in references for message in problems(reference)]
    messages += c_problems(c_mentions_in(paths))
    for message in messages:
        print(message)
    print(f"{summary(references)}; {len(messages)} problems")
    return 1 if messages else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
