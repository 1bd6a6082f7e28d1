"""gather: run awaitables concurrently and collect their results in argument order.

CPython: ``Lib/asyncio/tasks.py`` (``gather``, ``_GatheringFuture``). ``gather`` wraps each
coroutine in a task, and returns one future that a done-callback on every child completes: with
the list of results, or with the first exception (the other children go on running), or
cancelled when it was cancelled itself.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from tinyloop.exceptions import CancelledError
from tinyloop.futures import Future
from tinyloop.running import get_running_loop
from tinyloop.tasks import ensure_future

if TYPE_CHECKING:
    from tinyloop.loop import EventLoop


class _GatheringFuture(Future[list[Any]]):
    """The future ``gather`` returns; cancelling it cancels every child."""

    def __init__(self, children: list[Future[Any]], *, loop: EventLoop) -> None:
        super().__init__(loop=loop)
        self._children = children
        self._cancel_requested = False

    def cancel(self, msg: Any = None) -> bool:
        if self.done():
            return False
        cancelled_any = False
        for child in self._children:
            if child.cancel(msg=msg):
                cancelled_any = True
        if cancelled_any:
            # The outer future is cancelled once the children report back (see gather).
            self._cancel_requested = True
        return cancelled_any


def gather(*aws: Awaitable[Any], return_exceptions: bool = False) -> Future[list[Any]]:
    """Run awaitables concurrently; the result lists their results in argument order."""
    if not aws:
        outer: Future[list[Any]] = get_running_loop().create_future()
        outer.set_result([])
        return outer

    by_arg: dict[Awaitable[Any], Future[Any]] = {}  # one child for each distinct argument
    loop: EventLoop | None = None  # the first child's; every other must share it
    for arg in aws:
        if arg not in by_arg:
            child = ensure_future(arg, loop=loop)
            loop = child.get_loop()
            if child is not arg:
                child._log_destroy_pending = False  # type: ignore[attr-defined]
            by_arg[arg] = child
    children = [by_arg[arg] for arg in aws]
    gathering = _GatheringFuture(children, loop=children[0].get_loop())
    finished = 0

    def on_child_done(child: Future[Any]) -> None:
        nonlocal finished
        finished += 1
        if gathering.done():
            if not child.cancelled():
                child.exception()  # mark it retrieved: nobody else will look
            return
        if not return_exceptions and (error := _error(child)) is not None:
            gathering.set_exception(error)
            return
        if finished == len(by_arg):  # each child once, however often it was passed
            _finish_gathering(gathering)

    for child in by_arg.values():
        if child.done():
            on_child_done(child)
        else:
            child.add_done_callback(on_child_done)
    return gathering


def _finish_gathering(gathering: _GatheringFuture) -> None:
    results: list[Any] = []
    for child in gathering._children:
        error = _error(child)
        results.append(child.result() if error is None else error)
    if gathering._cancel_requested:
        gathering.set_exception(CancelledError())
    else:
        gathering.set_result(results)


def _error(child: Future[Any]) -> BaseException | None:
    """How ``child`` failed, if it did: its exception, or a CancelledError if it was cancelled."""
    if child.cancelled():
        return child._make_cancelled_error()
    return child.exception()
