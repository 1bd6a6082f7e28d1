"""Waiting on several futures: ``wait``, ``as_completed``, and ``shield`` against cancellation.

CPython: ``Lib/asyncio/tasks.py`` (``wait``, ``_wait``, ``as_completed``, ``shield``). All three
work the same way: a done-callback on each future, and one more future (or a queue) that the
callbacks complete when the condition holds.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Awaitable, Iterable, Iterator
from typing import Any, TypeVar

from tinyloop.coroutines import iscoroutine
from tinyloop.exceptions import TimeoutError
from tinyloop.futures import Future, isfuture
from tinyloop.queues import Queue
from tinyloop.running import get_running_loop
from tinyloop.tasks import ensure_future
from tinyloop.threads import _await_within, _set_result_if_pending, copy_outcome

__all__ = ["ALL_COMPLETED", "FIRST_COMPLETED", "FIRST_EXCEPTION", "as_completed", "shield", "wait"]

T = TypeVar("T")

FIRST_COMPLETED = concurrent.futures.FIRST_COMPLETED
FIRST_EXCEPTION = concurrent.futures.FIRST_EXCEPTION
ALL_COMPLETED = concurrent.futures.ALL_COMPLETED


async def wait(
    fs: Iterable[Future[Any]], *, timeout: float | None = None, return_when: str = ALL_COMPLETED
) -> tuple[set[Future[Any]], set[Future[Any]]]:
    """Wait until ``return_when`` holds (or ``timeout``); return the (done, pending) sets."""
    if isfuture(fs) or iscoroutine(fs):
        raise TypeError(f"expect a list of futures, not {type(fs).__name__}")
    futures = set(fs)
    if not futures:
        raise ValueError("Set of Tasks/Futures is empty.")
    if return_when not in (FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED):
        raise ValueError(f"Invalid return_when value: {return_when}")
    if any(iscoroutine(f) for f in futures):
        raise TypeError("Passing coroutines is forbidden, use tasks explicitly.")
    waiter: Future[None] = get_running_loop().create_future()
    remaining = len(futures)

    def on_completion(f: Future[Any]) -> None:
        nonlocal remaining
        remaining -= 1
        failed = not f.cancelled() and f.exception() is not None
        first_exception = return_when == FIRST_EXCEPTION and failed
        if remaining <= 0 or return_when == FIRST_COMPLETED or first_exception:
            _set_result_if_pending(waiter, None)

    for f in futures:
        f.add_done_callback(on_completion)
    try:
        await _await_within(waiter, timeout, None)
    finally:
        for f in futures:
            f.remove_done_callback(on_completion)
    done = {f for f in futures if f.done()}
    return done, futures - done


def as_completed(
    fs: Iterable[Awaitable[T]], *, timeout: float | None = None
) -> Iterator[Awaitable[T]]:
    """Awaitables that give the results in the order the futures finish (a generator, as in
    3.12: nothing starts before the first ``next()``)."""
    if isfuture(fs) or iscoroutine(fs):
        raise TypeError(f"expect an iterable of futures, not {type(fs).__name__}")
    loop = get_running_loop()
    todo = {ensure_future(f, loop=loop) for f in set(fs)}
    finished: Queue[Future[T] | None] = Queue()
    timer = None

    def on_timeout() -> None:
        for f in todo:
            f.remove_done_callback(on_completion)
            finished.put_nowait(None)  # each waiting awaitable then raises TimeoutError
        todo.clear()

    def on_completion(f: Future[T]) -> None:
        if not todo:
            return  # on_timeout came first
        todo.remove(f)
        finished.put_nowait(f)
        if not todo and timer is not None:
            timer.cancel()

    async def wait_for_one() -> T:
        f = await finished.get()
        if f is None:
            raise TimeoutError
        return f.result()

    for f in todo:
        f.add_done_callback(on_completion)
    if todo and timeout is not None:
        timer = loop.call_later(timeout, on_timeout)
    for _ in range(len(todo)):
        yield wait_for_one()


def shield(aw: Awaitable[T]) -> Future[T]:
    """A future for ``aw`` whose cancellation does not cancel ``aw`` itself."""
    inner = ensure_future(aw)
    if inner.done():
        return inner
    outer: Future[T] = inner.get_loop().create_future()

    def on_inner_done(inner: Future[T]) -> None:
        if outer.cancelled():
            if not inner.cancelled():
                inner.exception()  # nobody will look at it now: mark it retrieved
            return
        copy_outcome(inner, outer)

    def on_outer_done(outer: Future[T]) -> None:
        if not inner.done():
            inner.remove_done_callback(on_inner_done)

    inner.add_done_callback(on_inner_done)
    outer.add_done_callback(on_outer_done)
    return outer
