"""The clocks the timelines are recorded on: tinyloop's virtual clock, and two ways to use it
for what it cannot show by itself.

``VirtualTimeEventLoop`` (``tinyloop.clock``) jumps to the next timer only while no socket is
registered: with one open, real data might arrive before the timer, so it waits for real, and its
clock stands still. A program with a listening server and a ``sleep`` would then never wake up.
``QuietSocketsLoop`` does what trio's ``MockClock(autojump_threshold=…)`` does: it waits for real
I/O, but once the sockets have been quiet for ``QUIET`` seconds of real time, it jumps to the
timer as tinyloop's own clock would. Every peer of the programs drawn here is in the same process
(the loop is not running them while it waits), so nothing could have come later anyway.

A blocking call takes no virtual time at all. ``blocking_sleep`` stands in for ``time.sleep``:
it moves the virtual clock forward by the time it would have blocked, and returns at once.
"""

from __future__ import annotations

import contextlib
import selectors
import time
from collections.abc import Callable, Iterator
from unittest import mock

from tinyloop.clock import VirtualTimeEventLoop, _JumpingSelector

QUIET = 0.05  # seconds of real time without I/O after which the clock jumps to the next timer


class QuietSocketsLoop(VirtualTimeEventLoop):
    """tinyloop's virtual-time loop, whose clock also jumps while sockets are open and quiet."""

    def __init__(self) -> None:
        super().__init__()
        self._selector = _QuietJumpSelector(self._selector, self)


class _QuietJumpSelector(_JumpingSelector):
    """Wraps tinyloop.clock's selector (a jump if no socket is open): a jump if all are quiet."""

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        sockets_open = len(self.get_map()) > 1  # one registered file object is the self-pipe
        if not timeout or not sockets_open:
            return self._real.select(timeout)
        events = self._real.select(min(timeout, QUIET))  # a real wait: sockets are open
        if not events:
            self._loop._now += timeout  # quiet: nothing comes before the timer; jump to it
        return events


def new_virtual_loop() -> VirtualTimeEventLoop:
    return VirtualTimeEventLoop()  # type: ignore[abstract]


def new_quiet_sockets_loop() -> VirtualTimeEventLoop:
    return QuietSocketsLoop()  # type: ignore[abstract]


@contextlib.contextmanager
def blocking_sleep(loop: VirtualTimeEventLoop) -> Iterator[Callable[[float], None]]:
    """While active, ``time.sleep(seconds)`` moves ``loop``'s virtual clock on by ``seconds``:
    the loop is blocked for that long, as it would be, without the real wait."""

    def advance(seconds: float) -> None:
        loop._now += seconds

    with mock.patch.object(time, "sleep", advance):
        yield advance
