"""Queue: a FIFO of items between tasks, with waiting when empty (and when full).

CPython: ``Lib/asyncio/queues.py``. Like the locks, it is built from futures: a ``get`` on an
empty queue waits on a future that the next ``put`` completes. ``QueueEmpty`` and ``QueueFull``
are asyncio's own classes, so ``except asyncio.QueueEmpty`` catches tinyloop's too.
"""

from __future__ import annotations

import collections
import heapq
import sys
from asyncio.queues import QueueEmpty, QueueFull
from typing import Any, Generic, TypeVar

from tinyloop.futures import Future
from tinyloop.locks import Event, _wait_in_line, _wake_first
from tinyloop.running import get_running_loop

T = TypeVar("T")

__all__ = ["LifoQueue", "PriorityQueue", "Queue", "QueueEmpty", "QueueFull"]
if sys.version_info >= (3, 13):
    from asyncio.queues import QueueShutDown

    __all__ += ["QueueShutDown"]
else:

    class QueueShutDown(Exception):
        """Not raised before 3.13, which has no ``Queue.shutdown``; not exported either."""


class Queue(Generic[T]):
    """First in, first out; ``maxsize`` 0 means unbounded."""

    def __init__(self, maxsize: int = 0) -> None:
        self._maxsize = maxsize
        self._items = self._new_store()
        self._getters: collections.deque[Future[None]] = collections.deque()
        self._putters: collections.deque[Future[None]] = collections.deque()
        self._unfinished_tasks = 0
        self._finished = Event()
        self._finished.set()
        self._is_shutdown = False  # shutdown() was called (3.13+)

    def _new_store(self) -> Any:
        return collections.deque()

    def _put(self, item: T) -> None:
        self._items.append(item)

    def _get(self) -> T:
        return self._items.popleft()  # type: ignore[no-any-return]

    @property
    def maxsize(self) -> int:
        return self._maxsize

    def qsize(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def full(self) -> bool:
        return 0 < self._maxsize <= self.qsize()

    async def put(self, item: T) -> None:
        while self.full() and not self._is_shutdown:
            await self._wait_in(self._putters, still_blocked=self.full)
        self.put_nowait(item)

    def put_nowait(self, item: T) -> None:
        if self._is_shutdown:
            raise QueueShutDown
        if self.full():
            raise QueueFull
        self._put(item)
        self._unfinished_tasks += 1
        self._finished.clear()
        _wake_first(self._getters, 1, None)

    async def get(self) -> T:
        while self.empty() and not self._is_shutdown:
            await self._wait_in(self._getters, still_blocked=self.empty)
        return self.get_nowait()

    def get_nowait(self) -> T:
        if self.empty():
            if self._is_shutdown:
                raise QueueShutDown
            raise QueueEmpty
        item = self._get()
        _wake_first(self._putters, 1, None)
        return item

    def task_done(self) -> None:
        if self._unfinished_tasks <= 0:
            raise ValueError("task_done() called too many times")
        self._unfinished_tasks -= 1
        if self._unfinished_tasks == 0:
            self._finished.set()

    async def join(self) -> None:
        """Wait until every item put has been marked done with ``task_done()``."""
        await self._finished.wait()  # set exactly while no item is unfinished: then no wait

    if sys.version_info >= (3, 13):

        def shutdown(self, immediate: bool = False) -> None:
            """Refuse new items; ``get`` raises ``QueueShutDown`` once the queue is empty
            (at once, with ``immediate``, which drops the items left). Every waiter wakes."""
            self._is_shutdown = True
            while immediate and self._items:
                self._get()
                self.task_done()
            for waiters in (self._getters, self._putters):
                _wake_first(waiters, len(waiters), None)

    async def _wait_in(self, waiters: collections.deque[Future[None]], still_blocked: Any) -> None:
        waiter: Future[None] = get_running_loop().create_future()
        try:
            await _wait_in_line(waiters, waiter)
        except BaseException:
            # Woken and cancelled at once: the wake-up was meant for someone; pass it on.
            if waiter.done() and not waiter.cancelled() and not still_blocked():
                _wake_first(waiters, 1, None)
            raise


class LifoQueue(Queue[T]):
    """Last in, first out."""

    def _get(self) -> T:
        return self._items.pop()  # type: ignore[no-any-return]


class PriorityQueue(Queue[T]):
    """Smallest item first (a heap, as in ``heapq``)."""

    def _new_store(self) -> Any:
        return []

    def _put(self, item: T) -> None:
        heapq.heappush(self._items, item)

    def _get(self) -> T:
        return heapq.heappop(self._items)  # type: ignore[no-any-return]
