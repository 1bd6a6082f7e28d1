"""Threads: run blocking functions elsewhere and await their results on the loop, and run a
coroutine on the loop from another thread.

CPython: ``Lib/asyncio/threads.py`` (``to_thread``), ``wrap_future`` from
``Lib/asyncio/futures.py`` and ``run_coroutine_threadsafe`` from ``Lib/asyncio/tasks.py``. These
are the only threads tinyloop ever starts (asyncio likewise): the loop's own work all happens in
the thread that runs it. A worker thread never touches a loop future directly; it hands the
outcome over with ``call_soon_threadsafe``, which wakes the loop.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import functools
import threading
import warnings
from collections.abc import Callable, Coroutine
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any, TypeVar, cast

from tinyloop.coroutines import iscoroutine
from tinyloop.futures import Future, isfuture
from tinyloop.running import get_running_loop
from tinyloop.tasks import Task

if TYPE_CHECKING:
    from tinyloop.loop import EventLoop

T = TypeVar("T")


def wrap_future(
    source: concurrent.futures.Future[T] | Future[T], *, loop: EventLoop | None = None
) -> Future[T]:
    """A loop future that completes when the ``concurrent.futures`` future does."""
    if isfuture(source):
        return cast("Future[T]", source)
    if not isinstance(source, concurrent.futures.Future):
        raise TypeError(f"concurrent.futures.Future is expected, got {source!r}")
    loop = loop if loop is not None else get_running_loop()
    target: Future[T] = loop.create_future()

    def on_source_done(done: concurrent.futures.Future[T]) -> None:
        # Runs in the worker thread: only call_soon_threadsafe may touch the loop from here.
        if not loop.is_closed():
            loop.call_soon_threadsafe(copy_outcome, done, target)

    def on_target_done(done: Future[T]) -> None:
        if done.cancelled():
            source.cancel()  # too late if the function already runs; it then runs to the end

    target.add_done_callback(on_target_done)
    source.add_done_callback(on_source_done)
    # A loop on a virtual clock (tinyloop.clock) must not jump ahead while the thread works.
    watch = getattr(loop, "_watch_thread_job", None)
    if watch is not None:
        watch(source)
    return target


def run_coroutine_threadsafe(
    coro: Coroutine[Any, Any, T], loop: EventLoop
) -> concurrent.futures.Future[T]:
    """From a thread that is not running ``loop``: run ``coro`` as a task on it. Returns a
    ``concurrent.futures`` future for the outcome, whose ``result()`` blocks the calling
    thread, not the loop; cancelling it cancels the task. (CPython: ``futures._chain_future``
    does the chaining both ways.)"""
    if not iscoroutine(coro):
        raise TypeError("A coroutine object is required")
    outcome: concurrent.futures.Future[T] = concurrent.futures.Future()

    def start() -> None:  # on the loop's thread
        try:
            task = loop.create_task(coro)
        except BaseException as exc:
            if outcome.set_running_or_notify_cancel():
                outcome.set_exception(exc)
            raise
        task.add_done_callback(functools.partial(_settle, outcome))
        outcome.add_done_callback(functools.partial(_cancel_task_if_cancelled, task, loop))

    loop.call_soon_threadsafe(start)
    return outcome


def _settle(outcome: concurrent.futures.Future[T], task: Task[T]) -> None:
    # A cancelled concurrent future cannot be set; one that is already running cannot be
    # cancelled: cancel first, and set only if set_running_or_notify_cancel says it may.
    if task.cancelled():
        outcome.cancel()
    elif outcome.set_running_or_notify_cancel():
        copy_outcome(task, outcome)  # type: ignore[arg-type]


def _cancel_task_if_cancelled(
    task: Task[Any], loop: EventLoop, outcome: concurrent.futures.Future[Any]
) -> None:
    # Runs in whichever thread cancelled ``outcome``: reach the task through the loop.
    if outcome.cancelled() and not loop.is_closed():
        loop.call_soon_threadsafe(task.cancel)


async def to_thread(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run ``func`` in the loop's default executor, in a copy of the caller's context."""
    call = functools.partial(contextvars.copy_context().run, func, *args, **kwargs)
    return await get_running_loop().run_in_executor(None, call)


async def join_executor(loop: EventLoop, executor: Executor, timeout: float | None) -> None:
    """Wait, without blocking the loop, until ``executor``'s threads have finished."""
    # True if the executor's threads have ended, False if the timeout expired first. (The
    # joining thread is still alive, about to return, when its True arrives: it is not a sign.)
    joined: Future[bool] = loop.create_future()

    def join() -> None:  # in a thread of its own: shutdown(wait=True) blocks
        executor.shutdown(wait=True)
        if not loop.is_closed():  # the loop may be gone if the timeout expired long ago
            loop.call_soon_threadsafe(_set_result_if_pending, joined, True)

    thread = threading.Thread(target=join)
    thread.start()
    finished = await _await_within(joined, timeout, False)
    if finished:
        thread.join()  # it has only its return left to do
    else:
        message = f"The executor did not finishing joining its threads within {timeout} seconds."
        warnings.warn(message, RuntimeWarning, stacklevel=2)


async def _await_within(future: Future[T], timeout: float | None, late_result: T) -> T:
    """Await ``future``; if it is still pending after ``timeout`` seconds (None: no limit), it
    gets ``late_result``. (``waiting.wait`` waits this way too.)"""
    if timeout is None:
        return await future
    timer = future.get_loop().call_later(timeout, _set_result_if_pending, future, late_result)
    try:
        return await future
    finally:
        timer.cancel()  # the timeout must not outlive the wait


def _set_result_if_pending(future: Future[T], result: T) -> None:
    if not future.done():
        future.set_result(result)


def copy_outcome(source: Any, target: Future[T]) -> None:
    """Give ``target`` the outcome of the done future ``source`` (a loop future or a
    ``concurrent.futures.Future``: same methods), unless ``target`` was cancelled: whoever
    awaited it has given up. CPython: ``futures._copy_future_state``."""
    if target.cancelled():
        return
    if source.cancelled():
        target.cancel()
    elif (error := source.exception()) is not None:
        target.set_exception(error)
    else:
        target.set_result(source.result())
