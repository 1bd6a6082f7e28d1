"""The pictures in images/ are exactly what ``tools.pictures`` draws today, and each is an SVG a
page can show: it parses, scales (a viewBox), and carries its text alternative.

A picture that differs means the generator, a traced program or tinyloop's behaviour changed:
``make images`` redraws them all, and the diff shows what moved.
"""

from __future__ import annotations

import inspect
import re
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


TIMELINES_PAGE = "docs/tinyloop/timelines.md"
PICTURE_LINK = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]*images/[^)\s]+\.svg)[^)]*\)")


def _line_of(text: str, fragment: str) -> int:
    return text.count("\n", 0, text.index(fragment)) + 1


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda program: program.name)
def test_timelines_page_runs_the_program_its_picture_draws(program: Program) -> None:
    """The block before each timeline on the page holds the source of every function drawn."""
    text = (ROOT / TIMELINES_PAGE).read_text(encoding="utf-8")
    picture = f"images/{program.name}.svg"
    assert picture in text, f"{TIMELINES_PAGE} does not show {picture}"
    line = _line_of(text, picture)
    before = [b for b in find_blocks() if b.path == TIMELINES_PAGE and b.line < line]
    assert before, f"{TIMELINES_PAGE}:{line}: no Python block before {picture}"
    block = before[-1]
    for function in program.shows:
        source = inspect.getsource(function)
        assert source in block.code, (
            f"{block.where}: the block does not hold {function.__name__} as "
            f"tools/pictures/programs.py draws it:\n{source}"
        )


def test_every_picture_on_a_page_has_a_text_alternative() -> None:
    missing = []
    for md in sorted((ROOT / "docs").rglob("*.md")):
        text = md.read_text(encoding="utf-8")
        for link in PICTURE_LINK.finditer(text):
            if len(link["alt"].split()) < 3:
                missing.append(f"{md.relative_to(ROOT)}:{_line_of(text, link[0])}: {link['src']}")
    assert not missing, "pictures without a text alternative (alt text):\n" + "\n".join(missing)
