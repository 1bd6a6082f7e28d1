"""One turn of the event loop, drawn as a cycle, with the functions that do each part.

The stations, in the order the loop goes round: the ready queue; running the callbacks that
were ready when the turn began; the timeout, from the earliest timer on the heap; the wait in
the selector (``epoll_wait``, ``kqueue`` or ``select``); I/O events and due timers turned into
ready callbacks; and back to the ready queue. One call of ``_run_once`` (tinyloop's
``EventLoop._run_once`` in ``tinyloop/loop.py``, CPython's ``BaseEventLoop._run_once`` in
``Lib/asyncio/base_events.py``) starts at the timeout and ends after running the callbacks;
its phases are numbered 1 to 4 in that order.
"""

from __future__ import annotations

from dataclasses import dataclass

import drawsvg as dw  # type: ignore[import-untyped]

from tools.pictures.canvas import arrow, circle, elbow, new_drawing, rect, text
from tools.pictures.theme import BODY, CODE, HEADING, NAME, Font, Theme

WIDTH, HEIGHT = 900, 744
TITLE = "One turn of the event loop: EventLoop._run_once"
DESC = (
    "A cycle of five stations. The ready queue (self._ready, a deque of Handles) feeds phase 4: "
    "run the callbacks that were ready when the phase began, for _ in range(len(self._ready)): "
    "self._ready.popleft()._run(); a task's step is one of them, and what they schedule waits "
    "for the next turn. Then run_forever calls _run_once again. Phase 1: _drop_cancelled_timers() "
    "and _select_timeout(): 0 if a callback is ready, else the earliest timer's deadline minus "
    "now, or None if there is no timer. Phase 2: self._selector.select(timeout), which is "
    "epoll_wait on Linux, kqueue on macOS, select elsewhere: the thread sleeps there, and that "
    "is where await asyncio.sleep(2) waits. Phase 3: _process_events(events) and "
    "_move_due_timers_to_ready() append I/O callbacks and due TimerHandles to the ready queue. "
    "The timer heap (self._scheduled) gives phase 1 its deadline and phase 3 its due timers; "
    "callbacks add to it with call_later and to the ready queue with call_soon. tinyloop: "
    "EventLoop._run_once in tinyloop/loop.py; CPython: BaseEventLoop._run_once in "
    "Lib/asyncio/base_events.py, the same phases in the same order."
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
    area=(558, 226, 330, 124),
    phase="4",
    title="run what was ready when it began",
    code=("for _ in range(len(self._ready)):", "    self._ready.popleft()._run()"),
    notes=("A task's step is one such callback; what", "they schedule waits for the next turn."),
)
TIMEOUT = Box(
    area=(558, 430, 330, 124),
    phase="1",
    title="timeout from the earliest timer",
    code=("self._drop_cancelled_timers()", "timeout = self._select_timeout()"),
    notes=("0 if a callback is ready, else heap[0]'s", "deadline - now; None if no timer is set."),
)
SELECT = Box(
    area=(285, 606, 330, 124),
    phase="2",
    title="wait in the selector",
    code=("events = self._selector.select(timeout)",),
    notes=(
        "epoll_wait (Linux), kqueue (macOS), select.",
        "The one thread sleeps here: sleep(2) waits",
        "here, in no other thread or process.",
    ),
)
BECOME_READY = Box(
    area=(12, 430, 330, 124),
    phase="3",
    title="I/O events and due timers",
    code=("self._process_events(events)", "self._move_due_timers_to_ready()"),
    notes=("become ready callbacks: appended to", "the ready queue."),
)
HEAP = Box(
    area=(368, 300, 164, 92),
    title="timer heap",
    code=("self._scheduled",),
    notes=("TimerHandles,", "earliest first"),
)
BOXES = (READY, RUN, TIMEOUT, SELECT, BECOME_READY, HEAP)


def draw(theme: Theme) -> dw.Drawing:
    drawing = new_drawing(WIDTH, HEIGHT, title=TITLE, desc=DESC, theme=theme)
    text(drawing, "One turn of the event loop", 12, 30, HEADING, theme.text)
    subtitle = [
        "tinyloop: EventLoop._run_once in tinyloop/loop.py; CPython: BaseEventLoop._run_once in",
        "Lib/asyncio/base_events.py. The same phases, 1 to 4, in the same order.",
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
    (x, y), (x2, y2) = RUN.bottom, TIMEOUT.top
    elbow(drawing, [(x, y), (x2, y2 - 2)], ink, width=3, head=12)
    turn = ["_run_once() returns;", "run_forever() calls", "it again until stop()"]
    text(drawing, turn, x + 12, y + 22, BODY, theme.muted)
    (x, y), (x2, y2) = TIMEOUT.bottom, SELECT.right
    elbow(drawing, [(x, y), (x, y2), (x2 + 2, y2)], ink, width=3, head=12)
    (x, y), (x2, y2) = SELECT.left, BECOME_READY.bottom
    elbow(drawing, [(x, y), (x2, y), (x2, y2 + 2)], ink, width=3, head=12)
    (x, y), (x2, y2) = BECOME_READY.top, READY.left
    elbow(drawing, [(x, y), (x, y2), (x2 - 2, y2)], ink, width=3, head=12)


def _timer_heap(drawing: dw.Drawing, theme: Theme) -> None:
    """The heap's part (dashed): its earliest deadline sets the timeout, its due timers become
    ready callbacks, and callbacks add timers to it."""
    ink, dash = theme.timer, "5 4"
    x, y, width, height = HEAP.area
    timeout_x, timeout_y, _, _ = TIMEOUT.area
    arrow(drawing, (x + width - 20, y + height), (timeout_x - 2, timeout_y + 34), ink, dash=dash)
    text(drawing, "heap[0]", 548, 420, CODE, ink, anchor="end")
    ready_x, ready_y, ready_width, _ = BECOME_READY.area
    arrow(drawing, (x + 20, y + height), (ready_x + ready_width + 2, ready_y + 34), ink, dash=dash)
    text(drawing, "heappop()", 352, 420, CODE, ink)
    run_x, run_y, _, _ = RUN.area
    arrow(drawing, (run_x - 2, run_y + 70), (x + width + 2, y + 24), ink, dash=dash)
    text(drawing, "call_later()", 545, 268, CODE, ink, anchor="end")


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
