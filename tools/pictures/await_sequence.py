"""One ``await`` on a future, as a sequence of calls between four parties: the loop (and its
ready queue), the task, the chain of coroutines it drives, and the future.

The example is the tutorial's: ``main()`` awaits ``my_async_func()``, which awaits
``asyncio.sleep(2)``, which awaits a future that a timer completes. Every arrow is a call in
tinyloop's code (``tinyloop/tasks.py``, ``tinyloop/futures.py``), and the same call in CPython's
(``Lib/asyncio/tasks.py``, ``Lib/asyncio/futures.py``); the footer names both.
"""

from __future__ import annotations

from dataclasses import dataclass

import drawsvg as dw  # type: ignore[import-untyped]

from tools.pictures.canvas import arrow, line, new_drawing, rect, text, wrap
from tools.pictures.theme import ASIDE, BODY, HEADING, NAME, Font, Theme

WIDTH = 900
TOP = 150  # the first message
STEP = 40  # between messages
LOOP, TASK, CORO, FUTURE = 110.0, 330.0, 560.0, 790.0
HEADS = (
    (LOOP, "event loop", ["ready queue, timers"]),
    (TASK, "Task", ["Task.__step", "Task.__wakeup"]),
    (CORO, "coroutine chain", ["main() → my_async_func()", "→ sleep()"]),
    (FUTURE, "Future", ["created by sleep();", "a timer will set it"]),
)
TITLE = "One await on a future: how a task suspends and resumes"


@dataclass(frozen=True)
class Message:
    source: float
    target: float
    label: str
    note: str = ""  # a second, smaller line under the label
    reply: bool = False  # a return or a yield: dashed


def call(source: float, target: float, label: str, note: str = "") -> Message:
    return Message(source, target, label, note)


def back(source: float, target: float, label: str, note: str = "") -> Message:
    return Message(source, target, label, note, reply=True)


FIRST_TURN = (
    call(LOOP, TASK, "runs a ready Handle: Task.__step()"),
    call(TASK, CORO, "coro.send(None)", "each await is a plain call, down to sleep()"),
    call(CORO, FUTURE, "await future: Future.__await__()"),
    back(FUTURE, TASK, "not done: yield self", "up through every await, out of coro.send()"),
    call(TASK, FUTURE, "future.add_done_callback(self.__wakeup)", "tinyloop: Task.__wait_for"),
    back(TASK, LOOP, "Task.__step returns: the task is suspended"),
)
LATER_TURN = (
    call(LOOP, FUTURE, "the timer's callback: future.set_result(None)", "sleep's timer"),
    call(FUTURE, LOOP, "loop.call_soon(task.__wakeup, future)", "Future._schedule_callbacks"),
)
NEXT_TURN = (
    call(LOOP, TASK, "runs the ready Handle: Task.__wakeup(future)"),
    call(TASK, TASK, "future.result() raised nothing: self.__step()"),
    call(TASK, CORO, "coro.send(None)"),
    call(CORO, FUTURE, "Future.__await__ resumes after its yield"),
    back(FUTURE, CORO, "return self.result()", "the value of the await"),
    back(CORO, TASK, "sleep(), my_async_func(), main() go on", "to the next await, or the end"),
)
FOOTER = (
    "tinyloop: Task.__step, __wait_for, __wakeup (tinyloop/tasks.py); Future.__await__, "
    "set_result, _schedule_callbacks (tinyloop/futures.py); the timer's callback is "
    "_set_result_unless_cancelled. CPython: Task.__step (3.12+: __step_run_and_handle_result) "
    "and Task.__wakeup in Lib/asyncio/tasks.py; Future.__await__, set_result and "
    "__schedule_callbacks in Lib/asyncio/futures.py; CPython normally runs their C versions "
    "(Modules/_asynciomodule.c)."
)
DESC = (
    "Sequence diagram with four lifelines: event loop, Task, coroutine chain, Future. First turn: "
    "the loop runs a ready Handle, Task.__step; the task calls coro.send(None); the chain runs "
    "main, my_async_func and sleep down to await future, which calls Future.__await__; the "
    "future is not done, so it yields itself, and the yield travels up through every await and "
    "out of coro.send to the task; the task registers its __wakeup with "
    "future.add_done_callback and returns to the loop: the task is suspended. The loop then runs "
    "other callbacks and waits in select until the timer is due. A later turn: the timer's "
    "callback, _set_result_unless_cancelled, calls future.set_result(None); the future's "
    "_schedule_callbacks calls loop.call_soon(task.__wakeup, future), which puts the wake-up in "
    "the ready queue. The next turn: the loop runs Task.__wakeup(future); future.result() "
    "raises nothing, so it calls self.__step(), which calls coro.send(None); Future.__await__ "
    "resumes after its yield and returns self.result(), the value of the await expression; "
    "sleep, my_async_func and main go on. " + FOOTER
)


LABEL = Font(12.5, mono=True)
NOTE = Font(11.5)
DETAIL = Font(11.5, mono=True)


def draw(theme: Theme) -> dw.Drawing:
    turns = [("one turn", FIRST_TURN), ("a later turn", LATER_TURN), ("the next turn", NEXT_TURN)]
    count = sum(len(messages) for _, messages in turns)
    bottom = TOP + STEP * count + 30 * (len(turns) - 1)
    footer = wrap(FOOTER, BODY, WIDTH - 24)
    height = bottom + 30 + 17 * len(footer)
    drawing = new_drawing(WIDTH, height, title=TITLE, desc=DESC, theme=theme)
    text(drawing, TITLE, 12, 30, HEADING, theme.text)
    for x, name, detail in HEADS:
        _head(drawing, x, name, detail, theme, bottom)
    y: float = TOP
    for number, (turn, messages) in enumerate(turns):
        if number:
            y = _between_turns(drawing, y, number, theme)
        text(drawing, turn, 8, y - 4, ASIDE, theme.muted)
        for message in messages:
            _message(drawing, message, y + 16, theme)
            y += STEP
    text(drawing, footer, 12, bottom + 26, BODY, theme.muted, line_height=1.4)
    return drawing


def _head(
    drawing: dw.Drawing, x: float, name: str, detail: list[str], theme: Theme, bottom: float
) -> None:
    """A party's box, and its lifeline down to the last message."""
    line(drawing, (x, 106), (x, bottom), theme.faint, width=2, dash="6 5")
    rect(drawing, x - 100, 46, 200, 60, theme.band, stroke=theme.run, radius=8)
    text(drawing, name, x, 66, NAME, theme.text, anchor="middle")
    text(drawing, detail, x, 82, DETAIL, theme.muted, anchor="middle")


def _between_turns(drawing: dw.Drawing, y: float, number: int, theme: Theme) -> float:
    label = (
        "… the loop runs other callbacks, then waits in select(timeout) until the timer is due …"
        if number == 1
        else "… call_soon put __wakeup at the back of the ready queue: it runs in the next turn …"
    )
    rect(drawing, 4, y - 6, WIDTH - 8, 26, theme.band, radius=4)
    text(drawing, label, WIDTH / 2, y + 11, ASIDE, theme.muted, anchor="middle")
    return y + 30


def _message(drawing: dw.Drawing, message: Message, y: float, theme: Theme) -> None:
    """An arrow from one lifeline to another, its label above it. Labels are drawn first, so
    their halos hide the lifelines behind them but never an arrow."""
    colour = theme.muted if message.reply else theme.run
    source, target = message.source, message.target
    if source == target:  # a call within one party: a small loop back to itself
        text(drawing, message.label, source + 42, y, LABEL, theme.text, halo=theme.page)
        line(drawing, (source, y - 8), (source + 34, y - 8), colour, width=1.8)
        line(drawing, (source + 34, y - 8), (source + 34, y + 4), colour, width=1.8)
        arrow(drawing, (source + 34, y + 4), (source + 4, y + 4), colour, width=1.8)
        return
    left = min(source, target) + 10
    text(drawing, message.label, left, y - 7, LABEL, theme.text, halo=theme.page)
    if message.note:
        text(drawing, message.note, left, y + 15, NOTE, theme.muted, halo=theme.page)
    dash = "6 4" if message.reply else None
    arrow(drawing, (source, y), (target, y), colour, width=1.8, dash=dash)
