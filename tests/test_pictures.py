"""The pictures in images/ are exactly what ``tools.pictures`` draws today, and each is an SVG a
page can show: it parses, scales (a viewBox), and carries its text alternative.

A picture that differs means the generator, a traced program or tinyloop's behaviour changed:
``make images`` redraws them all, and the diff shows what moved.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tools.pictures.catalogue import file_names, write_all

IMAGES = Path(__file__).resolve().parent.parent / "images"
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
    left_over = sorted({path.name for path in IMAGES.glob("*.svg")} - set(file_names()))
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
