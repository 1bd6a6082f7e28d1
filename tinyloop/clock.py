"""A virtual clock: the loop jumps to the next timer instead of waiting for it.

No CPython counterpart; the idea is trio's ``MockClock(autojump_threshold=0)``. When nothing is
ready and no I/O is being watched, nothing can happen before the earliest timer, so waiting for
it in ``select`` only costs wall time: the loop moves its clock forward to that deadline and polls
with timeout 0. A program of long sleeps then runs at once and prints the same output, in the
same order, with ``loop.time()`` showing the times it would have shown.
"""

from __future__ import annotations

import selectors
from collections.abc import Mapping
from typing import Any

from tinyloop.asyncio_compat import AsyncioEventLoop


class VirtualTimeEventLoop(AsyncioEventLoop):
    """tinyloop's loop on a clock that starts at 0 and moves only by jumps."""

    def __init__(self) -> None:
        super().__init__()
        self._now = 0.0
        self._selector = _JumpingSelector(self._selector, self)

    def time(self) -> float:
        return self._now


class _JumpingSelector(selectors.BaseSelector):
    """The loop's selector, except that waiting for nothing but a timer is a jump in time."""

    def __init__(self, real: selectors.BaseSelector, loop: VirtualTimeEventLoop) -> None:
        self._real = real
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        # One registered file object is the self-pipe; more means real I/O may arrive first.
        io_in_flight = len(self._real.get_map()) > 1
        if timeout and not io_in_flight:
            self._loop._now += timeout
            timeout = 0
        return self._real.select(timeout)

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
