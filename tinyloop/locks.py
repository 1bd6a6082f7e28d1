"""Synchronisation primitives: Event, Lock, Semaphore, BoundedSemaphore.

CPython: ``Lib/asyncio/locks.py``. Each is a queue of futures: a task that must wait creates a
future, puts it in the queue and awaits it; whoever releases sets the result of the first one.
There is no thread involved and no lock in the operating system's sense: only one task runs at
a time, so checking and updating state between two awaits is already atomic.
"""

from __future__ import annotations

import collections
from types import TracebackType

from tinyloop.exceptions import CancelledError
from tinyloop.futures import Future
from tinyloop.running import get_running_loop


class _ContextManager:
    """``async with lock:`` acquires on entry and releases on exit."""

    async def acquire(self) -> bool:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(
        self, et: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


class Event:
    """A flag that tasks wait for; ``set()`` wakes every waiter."""

    def __init__(self) -> None:
        self._waiters: collections.deque[Future[bool]] = collections.deque()
        self._value = False

    def is_set(self) -> bool:
        return self._value

    def set(self) -> None:
        if not self._value:
            self._value = True
            for fut in self._waiters:
                if not fut.done():
                    fut.set_result(True)

    def clear(self) -> None:
        self._value = False

    async def wait(self) -> bool:
        if self._value:
            return True
        await _wait_in_line(self._waiters, get_running_loop().create_future())
        return True


class Lock(_ContextManager):
    """Mutual exclusion between tasks, handed over in first-come, first-served order."""

    def __init__(self) -> None:
        self._waiters: collections.deque[Future[bool]] = collections.deque()
        self._locked = False

    def locked(self) -> bool:
        return self._locked

    async def acquire(self) -> bool:
        # Free, and nobody queued ahead of us (cancelled waiters do not count): take it.
        if not self._locked and all(w.cancelled() for w in self._waiters):
            self._locked = True
            return True
        fut: Future[bool] = get_running_loop().create_future()
        try:
            await _wait_in_line(self._waiters, fut)
        except CancelledError:
            # We may have been handed the lock just before the cancellation: pass it on, or
            # the next waiter would wait forever.
            if not self._locked:
                self._wake_up_first()
            raise
        self._locked = True
        return True

    def release(self) -> None:
        if not self._locked:
            raise RuntimeError("Lock is not acquired.")
        self._locked = False
        self._wake_up_first()

    def _wake_up_first(self) -> None:
        if self._waiters and not self._waiters[0].done():
            self._waiters[0].set_result(True)


class Semaphore(_ContextManager):
    """A counter of free places; ``acquire()`` waits while it is 0."""

    def __init__(self, value: int = 1) -> None:
        if value < 0:
            raise ValueError("Semaphore initial value must be >= 0")
        self._value = value
        self._waiters: collections.deque[Future[bool]] = collections.deque()

    def locked(self) -> bool:
        return self._value == 0 or any(not w.cancelled() for w in self._waiters)

    async def acquire(self) -> bool:
        if not self.locked():
            self._value -= 1
            return True
        fut: Future[bool] = get_running_loop().create_future()
        try:
            await _wait_in_line(self._waiters, fut)
        except CancelledError:
            if fut.done() and not fut.cancelled():
                self._value += 1  # woken but cancelled: give the place back
            raise
        finally:
            # Places freed while we waited go to those queued behind us, in order.
            while self._value > 0 and self._wake_up_next():
                pass
        return True

    def release(self) -> None:
        self._value += 1
        self._wake_up_next()

    def _wake_up_next(self) -> bool:
        for fut in self._waiters:
            if not fut.done():
                self._value -= 1
                fut.set_result(True)
                return True
        return False


class BoundedSemaphore(Semaphore):
    """A semaphore that refuses to be released more often than acquired."""

    def __init__(self, value: int = 1) -> None:
        self._bound_value = value
        super().__init__(value)

    def release(self) -> None:
        if self._value >= self._bound_value:
            raise ValueError("BoundedSemaphore released too many times")
        super().release()


async def _wait_in_line(waiters: collections.deque[Future[bool]], fut: Future[bool]) -> None:
    """Queue ``fut`` behind the other waiters and wait for it; leave the queue however it ends."""
    waiters.append(fut)
    try:
        await fut
    finally:
        waiters.remove(fut)
