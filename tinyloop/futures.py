"""Future: a box for a result that someone sets later, and the callbacks waiting for it.

CPython: ``Lib/asyncio/futures.py`` (the pure-Python ``Future``; CPython normally uses the C
version from ``Modules/_asynciomodule.c``, which behaves the same). Nothing "executes" a future:
it is pending until ``set_result``, ``set_exception`` or ``cancel`` is called, and then hands each
done-callback to ``loop.call_soon``, in the order the callbacks were added.
"""

from __future__ import annotations

import contextvars
import sys
import types
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from tinyloop.base_futures import _CANCELLED, _FINISHED, _PENDING, _future_repr
from tinyloop.exceptions import CancelledError, InvalidStateError
from tinyloop.format_helpers import extract_stack
from tinyloop.running import get_event_loop

if TYPE_CHECKING:
    from tinyloop.loop import EventLoop

T = TypeVar("T")

DoneCallback = Callable[["Future[Any]"], object]
_STOP_ITERATION = "StopIteration interacts badly with generators and cannot be raised into a Future"


class Future(Generic[T]):
    """The result of an operation that has not finished yet."""

    # A task awaiting this future yields it up the coroutine chain; the flag tells the task
    # that the yield came from ``__await__`` (and not from a stray bare ``yield``).
    _asyncio_future_blocking = False
    # True while an exception is set that nobody has looked at; see __del__.
    _log_traceback = False
    # A future whose __init__ was never called (a subclass may skip it) is pending, and
    # get_loop() says why nothing else works.
    _state = _PENDING
    _loop: EventLoop = None  # type: ignore[assignment]  # None only before __init__
    _asyncio_awaited_by: set[Future[Any]] | None = None  # the tasks awaiting it: graph.py
    _source_traceback: list[Any] | None  # set by __init__, in debug mode only to a stack

    def __init__(self, *, loop: EventLoop | None = None) -> None:
        # Every attribute is set here, always in this order: then all futures share one
        # layout of their attribute dicts, which makes them smaller and quicker to create.
        if self._loop is not None and sys.version_info >= (3, 15):  # 3.15: initialised once
            raise RuntimeError(f"{type(self).__name__} object is already initialized")
        self._loop = loop if loop is not None else get_event_loop()
        self._state = _PENDING
        self._result: T | None = None
        self._exception: BaseException | None = None
        self._exception_tb: types.TracebackType | None = None
        self._callbacks: list[tuple[DoneCallback, contextvars.Context]] = []
        self._cancel_message: Any = None
        self._cancelled_exc: CancelledError | None = None
        # In debug mode, where it was created: its repr and the error reports about it say.
        self._source_traceback = extract_stack() if self._loop.get_debug() else None

    def __class_getitem__(cls, item: Any) -> types.GenericAlias:  # Future[int], as asyncio's
        return types.GenericAlias(cls, item)  # a subclass too, unlike Generic's

    def __repr__(self) -> str:
        return _future_repr(self)

    def __del__(self) -> None:
        if self._log_traceback:
            message = f"{type(self).__name__} exception was never retrieved"
            context: dict[str, Any] = dict(message=message, exception=self._exception, future=self)
            if self._source_traceback:
                context["source_traceback"] = self._source_traceback
            self.get_loop().call_exception_handler(context)

    def get_loop(self) -> EventLoop:
        if self._loop is None:
            raise RuntimeError("Future object is not initialized.")
        return self._loop

    def done(self) -> bool:
        return self._state != _PENDING

    def cancelled(self) -> bool:
        return self._state == _CANCELLED

    def result(self) -> T:
        if self._state == _CANCELLED:
            raise self._make_cancelled_error()
        if self._state != _FINISHED:
            raise InvalidStateError("Result is not ready.")
        self._log_traceback = False
        if self._exception is not None:
            raise self._exception.with_traceback(self._exception_tb)
        return self._result  # type: ignore[return-value]

    def exception(self) -> BaseException | None:
        if self._state == _CANCELLED:
            raise self._make_cancelled_error()
        if self._state != _FINISHED:
            raise InvalidStateError("Exception is not set.")
        self._log_traceback = False
        return self._exception

    def add_done_callback(
        self, fn: DoneCallback, *, context: contextvars.Context | None = None
    ) -> None:
        if not callable(fn):
            raise TypeError(f"a callable object was expected by add_done_callback(), got {fn!r}")
        if context is None:
            context = contextvars.copy_context()
        if self._state != _PENDING:
            self._loop.call_soon(fn, self, context=context)
        else:
            self._callbacks.append((fn, context))

    def remove_done_callback(self, fn: DoneCallback) -> int:
        before = len(self._callbacks)
        self._callbacks[:] = [(f, ctx) for (f, ctx) in self._callbacks if f != fn]
        return before - len(self._callbacks)

    # --8<-- [start:set_result]
    def set_result(self, result: T) -> None:
        if self._state != _PENDING:
            raise InvalidStateError(f"{self._state}: {self!r}")
        self._result = result
        self._state = _FINISHED
        self._schedule_callbacks()
        # --8<-- [end:set_result]

    def set_exception(self, exception: BaseException | type[BaseException]) -> None:
        if self._state != _PENDING:
            raise InvalidStateError(f"{self._state}: {self!r}")
        if isinstance(exception, type) and issubclass(exception, BaseException):
            exception = exception()
        # Refuse before storing anything: a refused call leaves the future pending and usable.
        if not isinstance(exception, BaseException):
            raise TypeError(f"invalid exception object: {exception!r} is not an exception")
        if isinstance(exception, StopIteration):  # in the awaiter, it would read as a return
            if sys.version_info < (3, 13):
                raise TypeError(_STOP_ITERATION)
            # 3.13 on, asyncio stores a RuntimeError that says why, caused by the StopIteration.
            error = RuntimeError(_STOP_ITERATION)
            error.__cause__ = error.__context__ = exception
            exception = error
        self._exception = exception
        self._exception_tb = exception.__traceback__
        self._state = _FINISHED
        self._schedule_callbacks()
        self._log_traceback = True

    def cancel(self, msg: Any = None) -> bool:
        self._log_traceback = False
        if self._state != _PENDING:
            return False
        self._state = _CANCELLED
        self._cancel_message = msg
        self._schedule_callbacks()
        return True

    # --8<-- [start:schedule_callbacks]
    def _schedule_callbacks(self) -> None:
        # Callbacks never run inside set_result(): they go to the ready queue, so whoever
        # completes a future finishes its own step first.
        callbacks, self._callbacks = self._callbacks, []
        for fn, ctx in callbacks:
            self._loop.call_soon(fn, self, context=ctx)
        # --8<-- [end:schedule_callbacks]

    def _make_cancelled_error(self) -> CancelledError:
        # A task that caught its own CancelledError keeps it, so the traceback of the await
        # where the cancellation landed survives.
        if self._cancelled_exc is not None:
            exc, self._cancelled_exc = self._cancelled_exc, None
            return exc
        if self._cancel_message is None:
            return CancelledError()
        return CancelledError(self._cancel_message)

    # --8<-- [start:await]
    def __await__(self) -> Generator[Future[T], None, T]:
        if not self.done():
            self._asyncio_future_blocking = True
            yield self  # up the coroutine chain to the task, which waits for us
        if not self.done():
            raise RuntimeError("await wasn't used with future")
        return self.result()
        # --8<-- [end:await]

    __iter__ = __await__


def isfuture(obj: object) -> bool:
    """True for any future-like object (duck-typed, like asyncio's)."""
    return getattr(type(obj), "_asyncio_future_blocking", None) is not None
