"""Drawing helpers shared by every picture, on top of drawsvg.

A drawing starts with its text alternative (``<title>``, ``<desc>``) and scales to the width of
the page (a ``viewBox``, ``width="100%"``, no height). Arrows are a line and a triangle, never
SVG markers, and nothing is drawn twice from one element object, so drawsvg generates no ids and
the output is the same bytes on every run. Text stays text; its width is estimated from the
number of characters, which is exact enough for monospace and safe (generous) for sans-serif.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from typing import Any
from xml.sax.saxutils import escape

import drawsvg as dw  # type: ignore[import-untyped]

from tools.pictures.theme import MONO, SANS, Font, Theme

MONO_WIDTH = 0.6  # advance of one monospace character, in font sizes
SANS_WIDTH = 0.56  # a generous average for sans-serif text
SANS_WRAP = 0.47  # a fair average, to wrap a paragraph


class Desc(dw.DrawingBasicElement):  # type: ignore[misc]
    """``<desc>``: the long text alternative, read by screen readers."""

    TAG_NAME = "desc"
    has_content = True

    def __init__(self, content: str) -> None:
        super().__init__()
        self.escaped_text = escape(content)

    def write_content(self, *args: Any) -> None:
        output, dry_run = args[2], args[4]  # (id_map, is_duplicate, output, context, dry_run)
        if not dry_run:
            output.write(self.escaped_text)


def new_drawing(width: float, height: float, *, title: str, desc: str, theme: Theme) -> dw.Drawing:
    """An empty picture, ``width`` by ``height`` units, with its title and description."""
    drawing = dw.Drawing(width, height, font_family=SANS, font_size=12, fill=theme.text)
    drawing.svg_args["width"] = "100%"  # scale with the page; the viewBox keeps the proportions
    drawing.svg_args["height"] = None  # drawsvg leaves out an attribute that is None
    drawing.svg_args["role"] = "img"
    drawing.append(dw.Title(title))
    drawing.append(Desc(desc))
    return drawing


def to_svg(drawing: dw.Drawing) -> str:
    """The SVG text: drawsvg's, without the empty ``<defs>`` it writes before the title."""
    svg: str = drawing.as_svg()
    return svg.replace("<defs>\n</defs>\n", "", 1) + "\n"


def r(value: float) -> float:
    """Coordinates to a tenth of a unit: short files, and no float noise in them."""
    return round(value, 1) + 0.0  # + 0.0 turns -0.0 into 0.0


def text_width(content: str, font: Font) -> float:
    return len(content) * font.size * (MONO_WIDTH if font.mono else SANS_WIDTH)


def wrap(content: str, font: Font, width: float) -> list[str]:
    """``content`` in lines that fit ``width``."""
    return textwrap.wrap(content, width=int(width / (font.size * SANS_WRAP)))


def text(
    drawing: dw.Drawing | dw.Group,
    content: str | list[str],
    x: float,
    y: float,
    font: Font,
    fill: str,
    *,
    anchor: str = "start",
    line_height: float = 1.25,
    halo: str | None = None,
) -> None:
    """Text at ``(x, y)``, the baseline of its first line; a list is one line per item.
    ``halo``: the colour behind, drawn around the letters so that lines do not cross them."""
    options: dict[str, Any] = {"fill": fill}
    if anchor != "start":
        options["text_anchor"] = anchor
    if font.mono:
        options["font_family"] = MONO
    if font.bold:
        options["font_weight"] = "bold"
    if font.italic:
        options["font_style"] = "italic"
    if halo:
        options.update(stroke=halo, stroke_width=4, stroke_linejoin="round", paint_order="stroke")
    lines = [content] if isinstance(content, str) else content
    if font.mono:  # keep a code line's indentation: SVG collapses leading spaces
        lines = [_keep_indent(one) for one in lines]
    if len(lines) == 1:
        drawing.append(dw.Text(lines[0], font.size, r(x), r(y), **options))
    else:
        drawing.append(dw.Text(lines, font.size, r(x), r(y), line_height=line_height, **options))


def _keep_indent(code: str) -> str:
    stripped = code.lstrip(" ")
    return "\u00a0" * (len(code) - len(stripped)) + stripped


def line(
    drawing: dw.Drawing | dw.Group,
    start: tuple[float, float],
    end: tuple[float, float],
    stroke: str,
    *,
    width: float = 1.5,
    dash: str | None = None,
) -> None:
    options: dict[str, Any] = {"stroke": stroke, "stroke_width": width}
    if dash:
        options["stroke_dasharray"] = dash
    drawing.append(dw.Line(r(start[0]), r(start[1]), r(end[0]), r(end[1]), **options))


def rect(
    drawing: dw.Drawing | dw.Group,
    x: float,
    y: float,
    width: float,
    height: float,
    fill: str,
    *,
    stroke: str | None = None,
    stroke_width: float = 1.5,
    radius: float = 0,
    dash: str | None = None,
) -> None:
    options: dict[str, Any] = {"fill": fill}
    if stroke:
        options.update(stroke=stroke, stroke_width=stroke_width)
    if radius:
        options["rx"] = radius
    if dash:
        options["stroke_dasharray"] = dash
    drawing.append(dw.Rectangle(r(x), r(y), r(width), r(height), **options))


def polygon(
    drawing: dw.Drawing | dw.Group,
    points: list[tuple[float, float]],
    fill: str,
    *,
    stroke: str = "",
) -> None:
    flat = [r(value) for point in points for value in point]
    options: dict[str, Any] = {"fill": fill}
    if stroke:
        options.update(stroke=stroke, stroke_width=1.5)
    drawing.append(dw.Lines(*flat, close=True, **options))


def circle(
    drawing: dw.Drawing | dw.Group, x: float, y: float, radius: float, **options: Any
) -> None:
    drawing.append(dw.Circle(r(x), r(y), radius, **options))


def arrow(
    drawing: dw.Drawing | dw.Group,
    start: tuple[float, float],
    end: tuple[float, float],
    stroke: str,
    *,
    width: float = 1.5,
    dash: str | None = None,
    head: float = 8,
) -> None:
    """A line from ``start`` to ``end``, with a filled head at the end."""
    (x1, y1), (x2, y2) = start, end
    angle = math.atan2(y2 - y1, x2 - x1)
    back = (x2 - head * math.cos(angle), y2 - head * math.sin(angle))
    line(drawing, start, back, stroke, width=width, dash=dash)
    side = head * 0.45
    left = (back[0] + side * math.sin(angle), back[1] - side * math.cos(angle))
    right = (back[0] - side * math.sin(angle), back[1] + side * math.cos(angle))
    polygon(drawing, [end, left, right], stroke)


def elbow(
    drawing: dw.Drawing | dw.Group,
    points: list[tuple[float, float]],
    stroke: str,
    *,
    width: float = 1.5,
    head: float = 8,
) -> None:
    """A polyline through ``points``, with an arrow head at the last one."""
    for start, end in itertools.pairwise(points[:-1]):
        line(drawing, start, end, stroke, width=width)
    arrow(drawing, points[-2], points[-1], stroke, width=width, head=head)
