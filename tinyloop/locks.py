"""Synchronisation primitives: Event, Lock, Semaphore, BoundedSemaphore, Condition, Barrier.

CPython: ``Lib/asyncio/locks.py``. Each is a queue of futures: a task that must wait creates a
future, puts it in the queue and awaits it; whoever releases sets the result of the first one.
There is no thread involved and no lock in the operating system's sense: only one task runs at
a time, so checking and updating state between two awaits is already atomic.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TypeVar

from tinyloop.exceptions import BrokenBarrierError, CancelledError
from tinyloop.futures import Future
from tinyloop.running import get_running_loop

T = TypeVar("T")


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
            _wake_first(self._waiters, len(self._waiters), True)

    def clear(self) -> None:
        self._value = False

    async def wait(self) -> bool:
        if not self._value:
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
        # Taken, or someone queued ahead of us (cancelled waiters do not count): wait in line.
        if self._locked or any(not w.cancelled() for w in self._waiters):
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
            self._value -= _wake_first(self._waiters, self._value, True)
        return True

    def release(self) -> None:
        self._value += 1
        # A waiter woken takes its place now, so that no task arriving before it runs can.
        self._value -= _wake_first(self._waiters, 1, True)


class BoundedSemaphore(Semaphore):
    """A semaphore that refuses to be released more often than acquired."""

    def __init__(self, value: int = 1) -> None:
        self._bound_value = value
        super().__init__(value)

    def release(self) -> None:
        if self._value >= self._bound_value:
            raise ValueError("BoundedSemaphore released too many times")
        super().release()


class Condition(_ContextManager):
    """A lock, and tasks waiting under it for a change that another task will ``notify`` of."""

    def __init__(self, lock: Lock | None = None) -> None:
        self._lock = Lock() if lock is None else lock
        self._waiters: collections.deque[Future[bool]] = collections.deque()

    def locked(self) -> bool:
        return self._lock.locked()

    async def acquire(self) -> bool:
        return await self._lock.acquire()

    def release(self) -> None:
        self._lock.release()

    async def wait(self) -> bool:
        """Release the lock, wait to be notified, and take the lock again, even if cancelled:
        the caller's ``async with`` will release it."""
        if not self.locked():
            raise RuntimeError("cannot wait on un-acquired lock")
        self.release()
        fut: Future[bool] = get_running_loop().create_future()
        try:
            await _wait_in_line(self._waiters, fut)
            return True
        except CancelledError:
            if fut.done() and not fut.cancelled():
                _wake_first(self._waiters, 1, False)  # notified, then cancelled: pass it on
            raise
        finally:
            await self._reacquire()

    async def _reacquire(self) -> None:
        cancelled = None
        while True:
            try:
                await self.acquire()
                break
            except CancelledError as exc:
                cancelled = exc  # keep trying: the lock must be held on the way out
        if cancelled is not None:
            raise cancelled

    async def wait_for(self, predicate: Callable[[], T]) -> T:
        while not (result := predicate()):
            await self.wait()
        return result

    def notify(self, n: int = 1) -> None:
        if not self.locked():
            raise RuntimeError("cannot notify on un-acquired lock")
        _wake_first(self._waiters, n, False)

    def notify_all(self) -> None:
        self.notify(len(self._waiters))


class Barrier:
    """``parties`` tasks wait until the last of them arrives; then all go on.

    A round has three states, as asyncio's: "filling" while tasks arrive, "draining" while the
    round's tasks leave (a task arriving then waits for the next round), and "broken" after
    ``abort()``. ``reset()`` breaks the current round for those in it and starts a new one."""

    def __init__(self, parties: int) -> None:
        if parties < 1:
            raise ValueError("parties must be >= 1")
        self._cond = Condition()
        self._parties = parties
        self._state = "filling"  # or "draining", "resetting", "broken"
        self._count = 0  # tasks inside wait(), this round or leaving the last

    def __repr__(self) -> str:
        return f"<Barrier [{self._state}, waiters:{self.n_waiting}/{self._parties}]>"

    async def __aenter__(self) -> int:
        return await self.wait()

    async def __aexit__(self, *exc_info: object) -> None:
        """Nothing to give back: the barrier was passed on the way in."""

    async def wait(self) -> int:
        """Wait for the round to fill; return this task's place in it, from 0."""
        async with self._cond:
            await self._cond.wait_for(lambda: self._state not in ("draining", "resetting"))
            if self._state == "broken":
                raise BrokenBarrierError("Barrier aborted")
            index, self._count = self._count, self._count + 1
            try:
                if index + 1 == self._parties:
                    self._state = "draining"
                    self._cond.notify_all()
                else:
                    await self._cond.wait_for(lambda: self._state != "filling")
                    if self._state in ("broken", "resetting"):
                        raise BrokenBarrierError("Abort or reset of barrier")
                return index
            finally:
                self._count -= 1
                if self._count == 0 and self._state in ("draining", "resetting"):
                    self._state = "filling"  # the last to leave opens the next round
                if self._count == 0:
                    self._cond.notify_all()

    async def reset(self) -> None:
        async with self._cond:
            self._state = "resetting" if self._count > 0 else "filling"
            self._cond.notify_all()

    async def abort(self) -> None:
        async with self._cond:
            self._state = "broken"
            self._cond.notify_all()

    @property
    def parties(self) -> int:
        return self._parties

    @property
    def n_waiting(self) -> int:
        return self._count if self._state == "filling" else 0

    @property
    def broken(self) -> bool:
        return self._state == "broken"


async def _wait_in_line(waiters: collections.deque[Future[T]], fut: Future[T]) -> None:
    """Queue ``fut`` behind the other waiters and wait for it; leave the queue however it ends.
    (``streams.py``'s ``drain()`` and ``queues.py`` wait in line this way too.)"""
    waiters.append(fut)
    try:
        await fut
    finally:
        waiters.remove(fut)


def _wake_first(waiters: Iterable[Future[T]], n: int, result: T) -> int:
    """Give ``result`` to the first ``n`` waiters still waiting; return how many it woke. (A
    waiter that is done already was woken, or cancelled, and leaves the line when it runs.)"""
    woken = 0
    for fut in waiters:
        if woken == n:
            break
        if not fut.done():
            fut.set_result(result)
            woken += 1
    return woken
