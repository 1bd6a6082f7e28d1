"""The two colour schemes every picture is drawn in: for mkdocs-material's light scheme
(``default``, white) and its dark one (``slate``, about #1e2129). Backgrounds stay transparent;
only strokes, fills and text change. Each colour is picked to read on its scheme's background."""

from __future__ import annotations

from dataclasses import dataclass

SANS = "sans-serif"
MONO = "monospace"


@dataclass(frozen=True)
class Theme:
    name: str  # "light" or "dark": the file is NAME.svg or NAME-dark.svg
    suffix: str
    page: str  # the page behind the picture: only for halos that keep text clear of lines
    text: str  # body text
    muted: str  # secondary text, suspension lines, the axis
    faint: str  # grid lines, row bands
    band: str  # fill of alternate rows and of boxes
    run: str  # a task running (a step); the loop's own boxes
    on_run: str  # text on top of ``run``
    wait: str  # the loop waiting in the selector
    on_wait: str
    timer: str  # timers on the heap
    io: str  # I/O readiness
    alarm: str  # cancellation, errors, lateness


LIGHT = Theme(
    name="light",
    suffix="",
    page="#ffffff",
    text="#1b1f24",
    muted="#59616d",
    faint="#c9ced6",
    band="#f1f3f8",
    run="#3949ab",
    on_run="#ffffff",
    wait="#d9480f",
    on_wait="#ffffff",
    timer="#2b8a3e",
    io="#0b7285",
    alarm="#c92a2a",
)

DARK = Theme(
    name="dark",
    suffix="-dark",
    page="#1e2129",
    text="#e3e6ec",
    muted="#a3abb9",
    faint="#4a5060",
    band="#272b36",
    run="#8c9eff",
    on_run="#15171d",
    wait="#ff9e64",
    on_wait="#15171d",
    timer="#69db7c",
    io="#66d9e8",
    alarm="#ff8787",
)

THEMES = (LIGHT, DARK)


@dataclass(frozen=True)
class Font:
    size: float
    mono: bool = False
    bold: bool = False
    italic: bool = False


HEADING = Font(19, bold=True)
SUBHEADING = Font(17, bold=True)
NAME = Font(14, bold=True)  # a row's, a box's or a lifeline's name
BODY = Font(12)
BOLD = Font(12, bold=True)
ASIDE = Font(12, italic=True)
CODE = Font(12, mono=True)
SMALL_CODE = Font(11.5, mono=True)
BADGE = Font(9.5, bold=True)  # a number in a small circle
