"""A readable timeline of what the loop did: task steps, timers, selector waits.

No CPython counterpart (asyncio's debug mode logs slow callbacks only). ``Tracer`` is an
instrument (see ``EventLoop.add_instrument``): the loop calls it at each event, and it writes one
line per event, stamped with the loop's clock relative to the first event. ``python -m tinyloop
--trace`` attaches one to every loop; the site's timeline pictures read the same events from
``Tracer.events``.
"""

from __future__ import annotations

import selectors
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO


@dataclass(frozen=True)
class TraceEvent:
    time: float  # seconds on the loop's clock since the tracer's first event
    kind: str  # "step", "suspend", "exit", "spawn", "timer", "due", "wait", "woke"
    subject: str  # the task's name, "timer" or "loop"
    detail: str


class Tracer:
    """Records every event of one loop and, if given a stream, prints it as it happens."""

    def __init__(self, clock: Callable[[], float], stream: TextIO | None = sys.stderr) -> None:
        self._clock = clock
        self._start: float | None = None
        self._stream = stream
        # When the last select began, and its timeout.
        self._wait_began: tuple[float, float | None] = (0.0, None)
        self.events: list[TraceEvent] = []

    def _record(self, kind: str, subject: str, detail: str, *, quiet: bool = False) -> None:
        now = self._clock()
        if self._start is None:
            self._start = now
        event = TraceEvent(now - self._start, kind, subject, detail)
        self.events.append(event)
        if self._stream is not None and not quiet:
            print(f"[{event.time:8.3f}] {subject:<10} {detail}", file=self._stream)

    def task_spawned(self, task: Any) -> None:
        self._record("spawn", task.get_name(), f"created for {_coro_name(task.get_coro())}")

    def before_task_step(self, task: Any) -> None:
        self._record("step", task.get_name(), "step: coro.send(None) or coro.throw(exc)")

    def after_task_step(self, task: Any) -> None:
        if task.done():
            outcome = "cancelled" if task.cancelled() else _outcome(task)
            self._record("exit", task.get_name(), f"finished: {outcome}")
        else:
            self._record("suspend", task.get_name(), f"suspended at {awaiting(task.get_coro())}")

    def timer_scheduled(self, timer: Any) -> None:
        delay = timer.when() - self._clock()
        self._record("timer", "timer", f"scheduled in {delay:.3f} s: {_callback_name(timer)}")

    def timer_due(self, timer: Any) -> None:
        self._record("due", "timer", f"due, moved to the ready queue: {_callback_name(timer)}")

    def before_io_wait(self, timeout: float | None) -> None:
        self._wait_began = (self._clock(), timeout)
        shown = "None: until I/O" if timeout is None else f"{timeout:.3f} s"
        # A poll with timeout 0 happens at every turn with work ready: record, do not print.
        self._record("wait", "loop", f"select(timeout={shown})", quiet=timeout == 0)

    def after_io_wait(self, events: list[tuple[selectors.SelectorKey, int]]) -> None:
        began, timeout = self._wait_began
        waited = self._clock() - began
        detail = f"select returned {len(events)} I/O event(s) after {waited:.3f} s"
        self._record("woke", "loop", detail, quiet=timeout == 0 and not events)


def awaiting(coro: Any) -> str:
    """The chain of awaits a suspended coroutine sits in: ``main() → sleep() → Future``."""
    links = []
    while coro is not None and hasattr(coro, "cr_frame"):
        frame = coro.cr_frame
        line = f":{frame.f_lineno}" if frame is not None else ""
        links.append(f"{coro.__qualname__}(){line}")
        coro = coro.cr_await
    if coro is not None:
        # At the bottom: Future.__await__'s generator, or a bare-yield generator (sleep(0)).
        owner = coro.gi_frame.f_locals.get("self") if getattr(coro, "gi_frame", None) else None
        links.append(f"{type(owner).__name__}.__await__" if owner else type(coro).__name__)
    return " → ".join(links) if links else "a bare yield"


def _coro_name(coro: Any) -> str:
    return f"{getattr(coro, '__qualname__', type(coro).__name__)}()"


def _outcome(task: Any) -> str:
    error = task.exception()
    return f"raised {error!r}" if error is not None else f"returned {task.result()!r}"


def _callback_name(timer: Any) -> str:
    callback = timer._callback
    return getattr(callback, "__qualname__", repr(callback)) if callback else "(cancelled)"
