"""Every picture of the site, by file name, and writing them all in both colour schemes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import drawsvg as dw  # type: ignore[import-untyped]

from tools.pictures import await_sequence, event_loop, timeline_draw
from tools.pictures.canvas import to_svg
from tools.pictures.programs import PROGRAMS, Program
from tools.pictures.recording import record
from tools.pictures.theme import THEMES, Theme
from tools.pictures.timeline import read

Picture = Callable[[Theme], dw.Drawing]

DIAGRAMS: dict[str, Picture] = {
    "event_loop": event_loop.draw,
    "await_sequence": await_sequence.draw,
}


def names() -> list[str]:
    """Every picture's name: ``NAME.svg`` and ``NAME-dark.svg`` are its files."""
    return [*DIAGRAMS, *(program.name for program in PROGRAMS)]


def file_names() -> list[str]:
    return [f"{name}{theme.suffix}.svg" for name in names() for theme in THEMES]


def _timeline(program: Program) -> Picture:
    timeline = read(record(program))  # recorded once: both schemes draw the same run
    return lambda theme: timeline_draw.draw(program, timeline, theme)


def pictures() -> Iterator[tuple[str, Picture]]:
    """Each picture's name, and a function that draws it in a colour scheme."""
    yield from DIAGRAMS.items()
    for program in PROGRAMS:
        yield program.name, _timeline(program)


def write_all(folder: Path) -> list[Path]:
    """Write ``NAME.svg`` and ``NAME-dark.svg`` for every picture into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, picture in pictures():
        for theme in THEMES:
            path = folder / f"{name}{theme.suffix}.svg"
            path.write_text(to_svg(picture(theme)), encoding="utf-8", newline="\n")
            written.append(path)
    return written
