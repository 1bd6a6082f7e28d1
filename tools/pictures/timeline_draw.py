"""Draws a timeline: one row per task, a row for the timers on the loop's heap, one for the
loop's waits in the selector, an axis in seconds, and a legend.

A task's row shows its steps (boxes: the loop called ``coro.send`` or ``coro.throw``), and
between them the await it was suspended at (a line, labelled with the chain of awaits). The
timers' row shows each ``TimerHandle`` from ``call_later`` to due (or cancelled); a timer that
came due after its deadline shows how late. The loop's row shows each ``select(timeout)``: a bar
for a real wait, a tick for a poll (timeout 0), and a numbered mark where the selector reported
sockets ready, explained below the row.
"""

from __future__ import annotations

import math

import drawsvg as dw  # type: ignore[import-untyped]

from tools.pictures.axis import EPSILON, Axis, lay_out
from tools.pictures.canvas import circle, line, new_drawing, polygon, rect, text, text_width, wrap
from tools.pictures.lanes import Lanes
from tools.pictures.programs import Program
from tools.pictures.theme import BADGE, BODY, BOLD, CODE, NAME, SMALL_CODE, SUBHEADING, Theme
from tools.pictures.timeline import (
    Step,
    Suspension,
    TaskRow,
    Timeline,
    TimerLife,
    Wait,
    chain_forms,
    describe,
)

WIDTH = 900
GUTTER = 12  # where row names start
PLOT_LEFT, PLOT_RIGHT = 166.0, 800.0  # right of it: room for the last outcome labels
TOP = 68  # the first row, below a one-line clock note
LINE = 14.0  # a line of small text
BAR = 16.0  # the height of a step or a wait
ROW = 48.0  # a task's row, without printed lines


def draw(program: Program, timeline: Timeline, theme: Theme) -> dw.Drawing:
    axis = lay_out(timeline, PLOT_LEFT, PLOT_RIGHT, program.time_share)
    back, sheet = dw.Group(), dw.Group()  # row bands and grid lines go behind everything
    clock = wrap(program.clock, BODY, WIDTH - 2 * GUTTER)
    rows_top = y = TOP + LINE * (len(clock) - 1)
    for number, row in enumerate(timeline.rows):
        y = _task_row(sheet, back if number % 2 == 0 else None, row, axis, theme, y)
    y = _timer_row(sheet, timeline.timers, axis, theme, y)
    y = _loop_row(sheet, timeline, axis, theme, y)
    y = _axis(sheet, back, axis, theme, y, rows_top)
    y = _legend(sheet, timeline, theme, y + 8)
    y = _footer(sheet, theme, y + 6)
    drawing = new_drawing(WIDTH, y + 10, title=program.title, desc=describe(timeline), theme=theme)
    text(drawing, program.title, GUTTER, 28, SUBHEADING, theme.text)
    text(drawing, clock, GUTTER, 50, BODY, theme.muted, line_height=LINE / BODY.size)
    drawing.append(back)
    drawing.append(sheet)
    return drawing


def _row_name(sheet: dw.Group, name: str, detail: str, top: float, theme: Theme) -> None:
    text(sheet, name, GUTTER, top + 24, NAME, theme.text)
    text(sheet, detail, GUTTER, top + 39, CODE, theme.muted)


def _separator(sheet: dw.Group, y: float, theme: Theme) -> None:
    line(sheet, (4, y), (WIDTH - 4, y), theme.faint, width=1)


# -- a task's row -----------------------------------------------------------------------------


def _task_row(
    sheet: dw.Group, band: dw.Group | None, row: TaskRow, axis: Axis, theme: Theme, top: float
) -> float:
    """The row of one task; ``band``, if given, gets a shaded background for it."""
    printed = _place_printed(row, axis)
    lanes = max((lane + len(step.printed) for step, _, lane in printed), default=0)
    height = ROW + (LINE * lanes + 4 if lanes else 0)
    behind = theme.page if band is None else theme.band  # for halos around labels
    if band is not None:
        rect(band, 4, top, WIDTH - 8, height, theme.band, radius=4)
    mid = top + 31
    _row_name(sheet, row.name, row.label, top, theme)
    _ready_line(sheet, row, axis, theme, mid)
    for suspension in row.suspensions:
        _suspension(sheet, suspension, axis, theme, mid)
    for step in row.steps:
        _step(sheet, step, axis, theme, mid)
    _labels_above(sheet, row, axis, theme, top + 17, behind)
    _outcome(sheet, row, axis, theme, mid)
    for step, x, lane in printed:
        lines = [f"» {one}" for one in step.printed]
        y = top + ROW + 6 + LINE * lane
        spacing = LINE / SMALL_CODE.size
        text(sheet, lines, x, y, SMALL_CODE, theme.text, line_height=spacing, halo=behind)
    return top + height


def _place_printed(row: TaskRow, axis: Axis) -> list[tuple[Step, float, int]]:
    """What each step printed goes under it (kept inside the picture), in lanes if need be."""
    lanes, placed = Lanes(), []
    for step in row.steps:
        if step.printed:
            width = max(text_width(f"» {one}", SMALL_CODE) for one in step.printed)
            x = min(axis.x(step.start), WIDTH - 8 - width)
            placed.append((step, x, lanes.place(x, x + width, len(step.printed))))
    return placed


def _ready_line(sheet: dw.Group, row: TaskRow, axis: Axis, theme: Theme, mid: float) -> None:
    """From its creation to its first step, a task is a callback in the ready queue."""
    x = axis.x(row.spawn)
    first = axis.x(row.steps[0].start) if row.steps else x
    line(sheet, (x, mid), (first, mid), theme.muted, dash="2 3")
    circle(sheet, x, mid, 3.5, fill="none", stroke=theme.muted, stroke_width=1.5)


def _suspension(
    sheet: dw.Group, suspension: Suspension, axis: Axis, theme: Theme, mid: float
) -> None:
    end = PLOT_RIGHT if suspension.end is None else axis.x(suspension.end)
    line(sheet, (axis.x(suspension.start), mid), (end, mid), theme.muted, width=2)


def _step(sheet: dw.Group, step: Step, axis: Axis, theme: Theme, mid: float) -> None:
    x0, x1 = axis.x(step.start), axis.x(step.end)
    stroke = theme.alarm if step.thrown else None
    top = mid - BAR / 2
    rect(sheet, x0, top, max(x1 - x0, 3), BAR, theme.run, stroke=stroke, stroke_width=2.5, radius=2)
    took = axis.times[step.end] - axis.times[step.start]
    label = f"one step, {took:g} s long: nothing else runs"
    if took > EPSILON and text_width(label, BODY) + 10 <= x1 - x0:  # a blocking call
        text(sheet, label, (x0 + x1) / 2, mid + 4, BODY, theme.on_run, anchor="middle")


def _labels_above(
    sheet: dw.Group, row: TaskRow, axis: Axis, theme: Theme, y: float, behind: str
) -> None:
    """Above the row: the exception a step threw in, ending just before the step, and where
    each suspension waits, as much of the chain of awaits as fits before the next label."""
    taken: list[tuple[float, float]] = []
    for step in row.steps:
        if step.thrown:
            label, right = f"throw({step.thrown})", axis.x(step.start) - 3
            text(sheet, label, right, y, SMALL_CODE, theme.alarm, anchor="end", halo=behind)
            taken.append((right - text_width(label, SMALL_CODE), right))
    starts = [axis.x(suspension.start) + 3 for suspension in row.suspensions]
    for number, suspension in enumerate(row.suspensions):
        x = starts[number]
        if any(left - 4 <= x <= right + 4 for left, right in taken):
            continue
        limit = min([left for left, _ in taken if left > x] + starts[number + 1 :] + [WIDTH]) - 8
        forms = chain_forms(suspension.chain)
        fitting = [form for form in forms if x + text_width(form, SMALL_CODE) <= limit]
        if fitting:
            text(sheet, fitting[0], x, y, SMALL_CODE, theme.muted, halo=behind)


def _outcome(sheet: dw.Group, row: TaskRow, axis: Axis, theme: Theme, mid: float) -> None:
    if row.outcome and row.steps:
        cancelled = row.outcome == "cancelled"
        x = axis.x(row.steps[-1].end) + 6
        text(
            sheet,
            row.outcome,
            x,
            mid + 4,
            BOLD if cancelled else BODY,
            theme.alarm if cancelled else theme.muted,
        )


# -- the timers' row ----------------------------------------------------------------------------


def _timer_row(
    sheet: dw.Group, timers: list[TimerLife], axis: Axis, theme: Theme, top: float
) -> float:
    lanes, placed = Lanes(gap=10), []
    for life in timers:
        start, end, label = axis.x(life.scheduled), _timer_end(life, axis), _timer_label(life)
        placed.append(
            (life, lanes.place(start - 5, max(end, start + 8 + text_width(label, CODE)) + 5))
        )
    late = any(_late(life, axis) > EPSILON for life in timers)
    height = max(ROW, max(1, len(lanes)) * 22 + 14 + (14 if late else 0))
    _separator(sheet, top, theme)
    _row_name(sheet, "timers", "loop._scheduled", top, theme)
    for life, lane in placed:
        _timer(sheet, life, axis, theme, top + 23 + 22 * lane)
    return top + height


def _timer_end(life: TimerLife, axis: Axis) -> float:
    return PLOT_RIGHT if life.end is None else axis.x(life.end)


def _timer_label(life: TimerLife) -> str:
    return f"call_later({life.delay:g})"


def _timer(sheet: dw.Group, life: TimerLife, axis: Axis, theme: Theme, y: float) -> None:
    start, end = axis.x(life.scheduled), _timer_end(life, axis)
    line(sheet, (start, y), (end, y), theme.timer, dash="5 3")
    _diamond(sheet, start, y, "none", theme.timer)
    text(sheet, _timer_label(life), start + 7, y - 5, CODE, theme.timer)
    if life.cancelled:
        _cross(sheet, end, y, theme.alarm)
    elif life.end is not None:
        _diamond(sheet, end, y, theme.timer, theme.timer)
        late = _late(life, axis)
        if late > EPSILON:
            _lateness(sheet, axis.x_at(life.deadline), end, y, late, theme)


def _late(life: TimerLife, axis: Axis) -> float:
    """How long after its deadline a timer came due (0 if it never did)."""
    if life.end is None or life.cancelled:
        return 0.0
    return axis.times[life.end] - life.deadline


def _lateness(
    sheet: dw.Group, deadline: float, fired: float, y: float, late: float, theme: Theme
) -> None:
    """The deadline, and a bracket from it to when the timer really came due."""
    line(sheet, (deadline, y - 7), (deadline, y + 12), theme.alarm, width=2)
    line(sheet, (deadline, y + 8), (fired, y + 8), theme.alarm)
    line(sheet, (fired, y + 4), (fired, y + 12), theme.alarm, width=2)
    text(sheet, "deadline", deadline + 5, y - 5, BODY, theme.alarm)
    label = f"due {late:.1f} s late: the loop was blocked"
    text(sheet, label, (deadline + fired) / 2, y + 22, BOLD, theme.alarm, anchor="middle")


def _diamond(sheet: dw.Group, x: float, y: float, fill: str, stroke: str) -> None:
    polygon(sheet, [(x, y - 5), (x + 5, y), (x, y + 5), (x - 5, y)], fill, stroke=stroke)


def _cross(sheet: dw.Group, x: float, y: float, colour: str) -> None:
    line(sheet, (x - 5, y - 5), (x + 5, y + 5), colour, width=2.5)
    line(sheet, (x - 5, y + 5), (x + 5, y - 5), colour, width=2.5)


# -- the loop's row --------------------------------------------------------------------------------


def _loop_row(sheet: dw.Group, timeline: Timeline, axis: Axis, theme: Theme, top: float) -> float:
    _separator(sheet, top, theme)
    _row_name(sheet, "loop", "_selector.select()", top, theme)
    mid = top + 26
    for wait in timeline.waits:
        _wait(sheet, wait, axis, theme, mid)
    for row in timeline.rows:
        for step in row.steps:
            _busy(sheet, row, step, axis, theme, mid)
    ready = [wait for wait in timeline.waits if wait.ready]
    lanes = Lanes(gap=2)
    for number, wait in enumerate(ready, start=1):
        x = axis.x(wait.end)
        lane = lanes.place(x - 7, x + 7)
        _badge(sheet, number, x, mid + BAR / 2 + 10 + 16 * lane, theme)
    bottom = top + 46 + 16 * len(lanes)
    return _io_key(sheet, ready, theme, bottom) if ready else bottom


def _wait(sheet: dw.Group, wait: Wait, axis: Axis, theme: Theme, mid: float) -> None:
    x0, x1 = axis.x(wait.start), axis.x(wait.end)
    if wait.timeout == 0 and not wait.ready:  # a poll: is any socket ready right now?
        line(sheet, (x1, mid - 5), (x1, mid + 5), theme.muted, width=1.2)
        return
    rect(sheet, x0, mid - BAR / 2, max(x1 - x0, 3), BAR, theme.wait, radius=2)
    timeout = "None" if math.isinf(wait.timeout) else f"{wait.timeout:g}"
    for label in (f"select(timeout={timeout})", f"timeout={timeout}", timeout):
        if text_width(label, CODE) + 8 <= x1 - x0:
            text(sheet, label, (x0 + x1) / 2, mid + 4, CODE, theme.on_wait, anchor="middle")
            break


def _busy(sheet: dw.Group, row: TaskRow, step: Step, axis: Axis, theme: Theme, mid: float) -> None:
    """While a step takes time, the loop is inside it: no select(), no other callback."""
    x0, x1 = axis.x(step.start), axis.x(step.end)
    label = f"inside {row.name}'s step: no select(), no other callback"
    if axis.times[step.end] - axis.times[step.start] > EPSILON:
        line(sheet, (x0, mid), (x1, mid), theme.run, width=1.5, dash="4 3")
        if text_width(label, BODY) + 10 <= x1 - x0:
            text(
                sheet,
                label,
                (x0 + x1) / 2,
                mid - 6,
                BODY,
                theme.run,
                anchor="middle",
                halo=theme.page,
            )


def _badge(sheet: dw.Group, number: int, x: float, y: float, theme: Theme) -> None:
    circle(sheet, x, y, 7, fill=theme.io)
    text(sheet, str(number), x, y + 3.5, BADGE, theme.on_wait, anchor="middle")


def _io_key(sheet: dw.Group, ready: list[Wait], theme: Theme, top: float) -> float:
    """What each numbered wake-up was: the sockets the selector reported ready."""
    x, y = PLOT_LEFT, top + 10
    for number, wait in enumerate(ready, start=1):
        label = " + ".join(wait.ready)
        width = 20 + text_width(label, BODY) + 16
        if x + width > WIDTH - 8:
            x, y = PLOT_LEFT, y + 18
        _badge(sheet, number, x + 7, y, theme)
        text(sheet, label, x + 18, y + 4, BODY, theme.text)
        x += width
    return y + 14


# -- axis, legend, footer -------------------------------------------------------------------------


def _axis(
    sheet: dw.Group, grid: dw.Group, axis: Axis, theme: Theme, top: float, rows_top: float
) -> float:
    """The axis in seconds: solid where time passes, dotted where it stands still."""
    y = top + 12
    ticks = axis.ticks()
    for tick in ticks:
        line(grid, (tick.x, rows_top), (tick.x, y), theme.faint, width=1, dash="3 4")
    line(sheet, (axis.left, y), (axis.right, y), theme.muted, dash="1 3")
    for x0, x1 in axis.moving():
        line(sheet, (x0, y), (x1, y), theme.muted)
    labelled: list[float] = []
    for tick in sorted(ticks, key=lambda tick: not tick.event):  # moments something happened first
        line(sheet, (tick.x, y), (tick.x, y + 5), theme.muted)
        if all(abs(tick.x - x) >= 40 for x in labelled):
            text(sheet, f"{tick.time:g} s", tick.x, y + 19, BODY, theme.text, anchor="middle")
            labelled.append(tick.x)
    text(sheet, "virtual time", axis.right + 10, y + 4, BODY, theme.muted)
    return y + 24


def _legend(sheet: dw.Group, timeline: Timeline, theme: Theme, top: float) -> float:
    items = [("step", "a step: coro.send() or coro.throw()"), ("suspend", "suspended at an await")]
    if any(wait.timeout > 0 for wait in timeline.waits):
        items.append(("wait", "waiting in select(timeout)"))
    if any(wait.timeout == 0 and not wait.ready for wait in timeline.waits):
        items.append(("poll", "select(0): a poll"))
    items.append(("timer", "timer scheduled, due"))
    if any(life.cancelled for life in timeline.timers):
        items.append(("cancel", "timer cancelled"))
    if any(wait.ready for wait in timeline.waits):
        items.append(("io", "select() returned sockets ready"))
    x, y = float(GUTTER), top + 10
    for kind, label in items:
        width = 26 + text_width(label, BODY) + 18
        if x + width > WIDTH:
            x, y = float(GUTTER), y + 20
        _legend_mark(sheet, kind, x, y, theme)
        text(sheet, label, x + 24, y + 4, BODY, theme.text)
        x += width
    return y + 12


def _legend_mark(sheet: dw.Group, kind: str, x: float, y: float, theme: Theme) -> None:
    if kind == "step":
        rect(sheet, x, y - 6, 16, 12, theme.run, radius=2)
    elif kind == "suspend":
        line(sheet, (x, y), (x + 18, y), theme.muted, width=2)
    elif kind == "wait":
        rect(sheet, x, y - 6, 18, 12, theme.wait, radius=2)
    elif kind == "poll":
        line(sheet, (x + 9, y - 5), (x + 9, y + 5), theme.muted, width=1.2)
    elif kind == "timer":
        _diamond(sheet, x + 4, y, "none", theme.timer)
        _diamond(sheet, x + 15, y, theme.timer, theme.timer)
    elif kind == "cancel":
        _cross(sheet, x + 9, y, theme.alarm)
    elif kind == "io":
        _badge(sheet, 1, x + 9, y, theme)


def _footer(sheet: dw.Group, theme: Theme, top: float) -> float:
    lines = [
        "Steps take no virtual time: what happened at one moment is spread out in the order it",
        "ran, over a dotted stretch of the axis. Recorded with tinyloop's Tracer; drawn by",
        "tools/pictures.",
    ]
    lines = wrap(" ".join(lines), BODY, WIDTH - 2 * GUTTER)
    text(sheet, lines, GUTTER, top + 12, BODY, theme.muted, line_height=1.3)
    return top + 12 + LINE * len(lines)
