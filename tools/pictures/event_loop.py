"""One turn of the event loop, drawn as a cycle, with the functions that do each part.

The stations, in the order the loop goes round: the ready queue; phase 5, running the handles
that were ready when it began; the turn ends and the next begins with phase 1, dropping
cancelled timers; phase 2, the timeout, from the earliest timer on the heap; phase 3, the
selector wait (``epoll_wait``, ``kevent`` or ``select``), then I/O events become ready
callbacks; phase 4, due timers moved to the ready queue; and back to the ready queue. The
numbers are the order of CPython's ``BaseEventLoop._run_once`` (``Lib/asyncio/base_events.py``),
the one numbering of the whole site, and tinyloop's ``EventLoop._run_once``
(``tinyloop/loop.py``) has the same phases in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass

import drawsvg as dw  # type: ignore[import-untyped]

from tools.pictures.canvas import arrow, circle, elbow, new_drawing, rect, text
from tools.pictures.theme import BODY, CODE, HEADING, NAME, Font, Theme

WIDTH, HEIGHT = 900, 890
TITLE = "One turn of the event loop: BaseEventLoop._run_once, phases 1 to 5"
DESC = (
    "A turn of the loop as a cycle of six stations, with the ready queue (self._ready, a deque "
    "of handles) at the top. Phase 1: _drop_cancelled_timers() removes cancelled timers from "
    "the timer heap. Phase 2: _select_timeout() computes the timeout: 0 if a handle is ready "
    "or the loop is stopping, "
    "else the earliest timer's deadline minus now, at most 24 hours, or None if there is no "
    "timer. Phase 3: the selector wait, self._selector.select(timeout), which is epoll_wait on "
    "Linux, kevent on macOS, select elsewhere: the one thread sleeps there, and that is where "
    "await asyncio.sleep(2) waits; then _process_events(events) turns I/O events into ready "
    "callbacks. Phase 4: _move_due_timers_to_ready() appends the due timers, those whose "
    "deadline is before now plus the clock's resolution, to the ready queue. Phase 5: run the "
    "handles that were ready when phase 5 began, for _ in range(len(self._ready)): "
    "self._ready.popleft()._run(); a task's step is one of them, and what they schedule waits "
    "for the next turn. Then _run_once returns, and run_forever calls it again until stop(). "
    "The timer heap (self._scheduled) gives phase 2 its deadline and phase 4 its due timers; "
    "handles add to it with call_later and to the ready queue with call_soon. CPython: "
    "BaseEventLoop._run_once in Lib/asyncio/base_events.py; tinyloop: EventLoop._run_once in "
    "tinyloop/loop.py, the same phases in the same order."
)
Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    area: tuple[float, float, float, float]  # x, y, width, height
    title: str
    code: tuple[str, ...]
    notes: tuple[str, ...]
    phase: str = ""  # "1" to "4": its place in _run_once; "" for a data structure

    @property
    def left(self) -> Point:
        x, y, _, height = self.area
        return x, y + height / 2

    @property
    def right(self) -> Point:
        x, y, width, height = self.area
        return x + width, y + height / 2

    @property
    def top(self) -> Point:
        x, y, width, _ = self.area
        return x + width / 2, y

    @property
    def bottom(self) -> Point:
        x, y, width, height = self.area
        return x + width / 2, y + height


READY = Box(
    area=(300, 86, 300, 100),
    title="ready queue",
    code=("self._ready: deque[Handle]",),
    notes=("First in, first out: call_soon() appends.", "A task's next step waits here."),
)
RUN = Box(
    area=(558, 220, 330, 110),
    phase="5",
    title="run the ready handles",
    code=("for _ in range(len(self._ready)):", "    self._ready.popleft()._run()"),
    notes=("Only those ready when phase 5 began;", "what they schedule waits a turn."),
)
DROP = Box(
    area=(558, 400, 330, 96),
    phase="1",
    title="drop cancelled timers",
    code=("self._drop_cancelled_timers()",),
    notes=("All, if over half of over 100 are", "cancelled; else those at heap[0]."),
)
TIMEOUT = Box(
    area=(558, 540, 330, 116),
    phase="2",
    title="compute the timeout",
    code=("timeout = self._select_timeout()",),
    notes=(
        "0 if a handle is ready or the loop stops;",
        "else heap[0]'s deadline - now, at most",
        "24 h; None if there is no timer.",
    ),
)
SELECT = Box(
    area=(285, 716, 330, 162),
    phase="3",
    title="the selector wait, then I/O events",
    code=("events = self._selector.select(timeout)", "self._process_events(events)"),
    notes=(
        "epoll_wait (Linux), kevent (macOS), select.",
        "The one thread sleeps here: sleep(2) waits",
        "here, in no other thread or process. I/O",
        "callbacks are appended to the ready queue.",
    ),
)
DUE = Box(
    area=(12, 520, 330, 100),
    phase="4",
    title="move due timers to ready",
    code=("self._move_due_timers_to_ready()",),
    notes=("Due: deadline < now + clock resolution.", "Appended to the ready queue."),
)
HEAP = Box(
    area=(368, 380, 164, 92),
    title="timer heap",
    code=("self._scheduled",),
    notes=("TimerHandles,", "earliest first"),
)
BOXES = (READY, RUN, DROP, TIMEOUT, SELECT, DUE, HEAP)


def draw(theme: Theme) -> dw.Drawing:
    drawing = new_drawing(WIDTH, HEIGHT, title=TITLE, desc=DESC, theme=theme)
    text(drawing, "One turn of the event loop", 12, 30, HEADING, theme.text)
    subtitle = [
        "CPython: BaseEventLoop._run_once in Lib/asyncio/base_events.py; tinyloop: the same in",
        "tinyloop/loop.py. Phases 1 to 5 in that order: a turn starts at 1 and ends after 5.",
    ]
    text(drawing, subtitle, 12, 52, Font(13), theme.muted, line_height=1.3)
    _cycle(drawing, theme)
    _timer_heap(drawing, theme)
    for box in BOXES:
        _box(drawing, box, theme)
    return drawing


def _cycle(drawing: dw.Drawing, theme: Theme) -> None:
    """The way round, clockwise: thick arrows from station to station, at right angles."""
    ink = theme.run
    (x, y), (x2, y2) = READY.right, RUN.top
    elbow(drawing, [(x, y), (x2, y), (x2, y2 - 2)], ink, width=3, head=12)
    (x, y), (x2, y2) = RUN.bottom, DROP.top
    elbow(drawing, [(x, y), (x2, y2 - 2)], ink, width=3, head=12)
    turn = ["_run_once() returns;", "run_forever() calls", "it again until stop()"]
    text(drawing, turn, x + 12, y + 20, BODY, theme.muted)
    (x, y), (x2, y2) = DROP.bottom, TIMEOUT.top
    elbow(drawing, [(x, y), (x2, y2 - 2)], ink, width=3, head=12)
    (x, y), (x2, y2) = TIMEOUT.bottom, SELECT.right
    elbow(drawing, [(x, y), (x, y2), (x2 + 2, y2)], ink, width=3, head=12)
    (x, y), (x2, y2) = SELECT.left, DUE.bottom
    elbow(drawing, [(x, y), (x2, y), (x2, y2 + 2)], ink, width=3, head=12)
    (x, y), (x2, y2) = DUE.top, READY.left
    elbow(drawing, [(x, y), (x, y2), (x2 - 2, y2)], ink, width=3, head=12)


def _timer_heap(drawing: dw.Drawing, theme: Theme) -> None:
    """The heap's part (dashed): phase 1 drops its cancelled timers, its earliest deadline sets
    phase 2's timeout, its due timers move in phase 4, and handles add timers to it."""
    ink, dash = theme.timer, "5 4"
    x, y, width, height = HEAP.area
    timeout_x, timeout_y, _, _ = TIMEOUT.area
    arrow(drawing, (x + width - 20, y + height), (timeout_x - 2, timeout_y + 34), ink, dash=dash)
    text(drawing, "heap[0]", 530, y + height + 68, CODE, ink, anchor="end")
    due_x, due_y, due_width, _ = DUE.area
    arrow(drawing, (x + 20, y + height), (due_x + due_width + 2, due_y + 34), ink, dash=dash)
    text(drawing, "heappop()", 364, y + height + 68, CODE, ink)
    drop_x, drop_y, _, _ = DROP.area
    arrow(drawing, (drop_x - 2, drop_y + 48), (x + width + 2, y + 60), ink, dash=dash)
    run_x, run_y, _, _ = RUN.area
    arrow(drawing, (run_x - 2, run_y + 70), (x + width + 2, y + 24), ink, dash=dash)
    text(drawing, "call_later()", 545, run_y + 130, CODE, ink, anchor="end")


def _box(drawing: dw.Drawing, box: Box, theme: Theme) -> None:
    x, y, width, height = box.area
    stroke = theme.timer if box is HEAP else theme.run
    dash = None if box.phase else "6 4"  # a data structure, not a phase
    rect(drawing, x, y, width, height, theme.band, stroke=stroke, radius=8, dash=dash)
    title_x = x + 14
    if box.phase:
        circle(drawing, x + 22, y + 19, 11, fill=theme.run)
        text(drawing, box.phase, x + 22, y + 24, Font(13, bold=True), theme.on_run, anchor="middle")
        title_x += 26
    text(drawing, box.title, title_x, y + 24, NAME, theme.text)
    text(drawing, list(box.code), x + 14, y + 46, CODE, theme.text, line_height=1.3)
    notes_y = y + 46 + 15.6 * len(box.code) + 4
    text(drawing, list(box.notes), x + 14, notes_y, BODY, theme.muted, line_height=1.3)
