"""The pictures in images/ are exactly what ``tools.pictures`` draws today, and each is an SVG a
page can show: it parses, scales (a viewBox), and carries its text alternative.

A picture that differs means the generator, a traced program or tinyloop's behaviour changed:
``make images`` redraws them all, and the diff shows what moved.
"""

from __future__ import annotations

import ast
import copy
import inspect
import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from docblocks import ROOT, find_blocks

from tools.pictures.catalogue import file_names, write_all
from tools.pictures.programs import PROGRAMS, Program

IMAGES = ROOT / "images"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every picture, drawn afresh into a folder of its own (once for all tests here)."""
    folder = tmp_path_factory.mktemp("pictures")
    write_all(folder)
    return folder


def test_the_generator_writes_what_it_lists(drawn: Path) -> None:
    assert sorted(path.name for path in drawn.iterdir()) == sorted(file_names())


@pytest.mark.parametrize("name", file_names())
def test_committed_picture_is_current(drawn: Path, name: str) -> None:
    committed = IMAGES / name
    assert committed.exists(), f"images/{name} is missing: run `make images`"
    assert committed.read_bytes() == (drawn / name).read_bytes(), (
        f"images/{name} differs from what tools.pictures draws now: run `make images`"
    )


def test_no_picture_is_left_over() -> None:
    # bench_*.svg are the benchmark plots, drawn by `make bench` (bench/plots.py) from its results.
    drawn_here = {path.name for path in IMAGES.glob("*.svg") if not path.name.startswith("bench_")}
    left_over = sorted(drawn_here - set(file_names()))
    assert not left_over, f"images/ holds SVG files tools.pictures no longer makes: {left_over}"


@pytest.mark.parametrize("name", sorted(path.name for path in IMAGES.glob("*.svg")))
def test_picture_is_scalable_with_a_text_alternative(name: str) -> None:
    root = ET.parse(IMAGES / name).getroot()
    assert root.tag == f"{SVG}svg", f"images/{name}: the root is not <svg>"
    assert len(root.get("viewBox", "").split()) == 4, f"images/{name}: no viewBox"
    assert root.get("height") is None, f"images/{name}: a fixed height keeps it from scaling"
    children = list(root)
    tags = [child.tag for child in children[:2]]
    assert tags == [f"{SVG}title", f"{SVG}desc"], f"images/{name}: <title>, <desc> must come first"
    for child in children[:2]:
        assert (child.text or "").strip(), f"images/{name}: an empty <{child.tag[len(SVG) :]}>"


TIMELINES_PAGE = "docs/tinyloop/timelines.md"  # how pictures are made; may show one as an example
PICTURE_LINK = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]*images/[^)\s]+\.svg)[^)]*\)")


def _line_of(text: str, fragment: str) -> int:
    return text.count("\n", 0, text.index(fragment)) + 1


def _pages_showing(name: str) -> list[str]:
    """The pages that show images/NAME.svg, timelines.md apart."""
    pages = sorted((ROOT / "docs").rglob("*.md"))
    return [
        page.relative_to(ROOT).as_posix()
        for page in pages
        if f"images/{name}.svg" in page.read_text(encoding="utf-8")
        and page.relative_to(ROOT).as_posix() != TIMELINES_PAGE
    ]


def _shape(function: ast.AsyncFunctionDef | ast.FunctionDef) -> str:
    """A function as the AST sees it, without its type hints, its docstring or its name: what
    it does, whatever it is called."""
    function = copy.deepcopy(function)
    function.name, function.returns = "_", None
    for argument in ast.walk(function.args):
        if isinstance(argument, ast.arg):
            argument.annotation = None
    return ast.dump(function)


def _functions(code: str) -> dict[str, str]:
    tree = ast.parse(code)
    return {
        node.name: _shape(node)
        for node in ast.walk(tree)
        if isinstance(node, (ast.AsyncFunctionDef, ast.FunctionDef))
    }


def _shown_name(name: str) -> str:
    # programs.py keeps several programs in one module, so their mains are gather_main and so on
    return "main" if name.endswith("_main") else name


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda program: program.name)
def test_a_timeline_is_shown_on_one_page_as_its_home(program: Program) -> None:
    pages = _pages_showing(program.name)
    assert len(pages) == 1, (
        f"images/{program.name}.svg should have one home page (others link to it); "
        f"it is shown on {pages or 'none'}"
    )


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda program: program.name)
def test_a_timeline_follows_the_program_it_draws(program: Program) -> None:
    """On its home page, the Python block before a timeline is the program traced: every function
    drawn is defined there, doing the same (type hints, which programs.py needs, apart)."""
    pages = _pages_showing(program.name)
    assert pages, f"no page shows images/{program.name}.svg"
    page = pages[0]
    text = (ROOT / page).read_text(encoding="utf-8")
    line = _line_of(text, f"images/{program.name}.svg")
    before = [b for b in find_blocks() if b.path == page and b.line < line]
    assert before, f"{page}:{line}: no Python block before images/{program.name}.svg"
    block = before[-1]
    defined = _functions(block.code)
    for function in program.shows:
        name = _shown_name(function.__name__)
        drawn = _functions(textwrap.dedent(inspect.getsource(function)))[function.__name__]
        assert defined.get(name) == drawn, (
            f"{block.where}: the block before images/{program.name}.svg does not define "
            f"{name} as tools/pictures/programs.py's {function.__name__} draws it:\n"
            f"{inspect.getsource(function)}"
        )


def test_every_picture_on_a_page_has_a_text_alternative() -> None:
    missing = []
    for md in sorted((ROOT / "docs").rglob("*.md")):
        text = md.read_text(encoding="utf-8")
        for link in PICTURE_LINK.finditer(text):
            if len(link["alt"].split()) < 3:
                missing.append(f"{md.relative_to(ROOT)}:{_line_of(text, link[0])}: {link['src']}")
    assert not missing, "pictures without a text alternative (alt text):\n" + "\n".join(missing)
