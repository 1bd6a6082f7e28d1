"""A virtual clock: the loop jumps to the next timer instead of waiting for it.

No CPython counterpart; the idea is trio's ``MockClock(autojump_threshold=0)``. When nothing is
ready, no I/O is being watched and no thread is working for the loop, nothing can happen before
the earliest timer, so waiting for it in ``select`` only costs wall time: the loop moves its clock
forward to that deadline and polls with timeout 0. A program of long sleeps then runs at once and
prints the same output, in the same order, with ``loop.time()`` showing the times it would have
shown. While a thread works for the loop, a wait is a real wait, and the clock moves on by the
time it took.
"""

from __future__ import annotations

import concurrent.futures
import selectors
import time
from collections.abc import Mapping
from typing import Any

from tinyloop.asyncio_compat import AsyncioEventLoop


class VirtualTimeEventLoop(AsyncioEventLoop):
    """tinyloop's loop on a clock that starts at 0 and moves only by jumps."""

    def __init__(self) -> None:
        super().__init__()
        self._now = 0.0
        self._selector = _JumpingSelector(self._selector, self)
        # Work handed to threads (``wrap_future``, which ``run_in_executor`` and ``to_thread``
        # use) and not finished yet; a thread drops its job itself when done.
        self._thread_jobs: set[concurrent.futures.Future[Any]] = set()

    def time(self) -> float:
        return self._now

    def _watch_thread_job(self, job: concurrent.futures.Future[Any]) -> None:
        """Called by ``wrap_future``: while ``job`` runs, the clock must not jump."""
        self._thread_jobs.add(job)
        # Added after wrap_future's own callback, so it runs after that one has woken the loop:
        # once the job has left the set, its wake-up byte is in the self-pipe.
        job.add_done_callback(self._thread_jobs.discard)


class _JumpingSelector(selectors.BaseSelector):
    """The loop's selector, except that waiting for nothing but a timer is a jump in time."""

    def __init__(self, real: selectors.BaseSelector, loop: VirtualTimeEventLoop) -> None:
        self._real = real
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout == 0:
            return self._real.select(0)  # a poll: no time passes
        if getattr(self._loop, "_thread_jobs", ()):  # (asyncio's loop on this clock has none)
            # A thread is working and may finish before the timer: wait for real, and the clock
            # moves on by the time the wait took.
            start = time.monotonic()
            events = self._real.select(timeout)
            self._loop._now += time.monotonic() - start
            return events
        # One registered file object is the self-pipe; more means real I/O may arrive first.
        if timeout is None or len(self._real.get_map()) > 1:
            return self._real.select(timeout)
        events = self._real.select(0)  # a thread that has just finished comes before the jump
        if not events:
            self._loop._now += timeout  # nothing can happen before the timer: jump to it
        return events

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._real.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.modify(fileobj, events, data)

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return self._real.get_map()

    def close(self) -> None:
        self._real.close()


def new_virtual_time_event_loop() -> VirtualTimeEventLoop:
    return VirtualTimeEventLoop()  # type: ignore[abstract]
