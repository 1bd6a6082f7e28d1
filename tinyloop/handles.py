"""Handles: a callback with its arguments and context, waiting in the loop's ready queue.

CPython: ``Lib/asyncio/events.py`` (``Handle``, ``TimerHandle``). A ``TimerHandle`` is a handle
with a deadline; the loop keeps those in a heap ordered by deadline alone, as CPython does.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tinyloop.format_helpers import _format_callback_source, extract_stack

if TYPE_CHECKING:
    from tinyloop.loop import EventLoop


class Handle:
    """A callback scheduled with ``call_soon``; ``cancel()`` makes the loop skip it."""

    __slots__ = (
        "__weakref__", "_args", "_callback", "_cancelled", "_context", "_loop", "_source_traceback"
    )  # fmt: skip

    def __init__(
        self, callback: Callable[..., object], args: tuple[Any, ...], loop: EventLoop,
        context: contextvars.Context | None = None,
    ) -> None:  # fmt: skip
        self._callback: Callable[..., object] | None = callback
        self._args: tuple[Any, ...] | None = args
        self._loop = loop
        # Each callback runs in the context that was current when it was scheduled, so a
        # contextvar set by one task is never seen by another.
        self._context = context if context is not None else contextvars.copy_context()
        self._cancelled = False
        self._source_traceback = extract_stack() if loop._debug else None

    def __repr__(self) -> str:
        return f"<{' '.join(self._repr_info())}>"

    def _repr_info(self) -> list[str]:
        info = [type(self).__name__]
        if self._cancelled:
            info.append("cancelled")
        if self._callback is not None:
            info.append(_format_callback_source(self._callback))
        if self._source_traceback:  # made in debug mode
            frame = self._source_traceback[-1]
            info.append(f"created at {frame.filename}:{frame.lineno}")
        return info

    # --8<-- [start:handle_cancel]
    def cancel(self) -> None:
        # Dropping the callback and its arguments frees whatever they keep alive now, not when
        # the loop finally pops the handle.
        self._cancelled = True
        self._callback = None
        self._args = None
        # --8<-- [end:handle_cancel]

    def cancelled(self) -> bool:
        return self._cancelled

    def get_context(self) -> contextvars.Context:
        return self._context

    def _run(self) -> None:
        assert self._callback is not None and self._args is not None
        try:
            self._context.run(self._callback, *self._args)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            # One failing callback must not stop the loop: report it and go on.
            message = f"Exception in callback {_format_callback_source(self._callback)}"
            context = {"message": message, "exception": exc, "handle": self}
            if self._source_traceback:
                context["source_traceback"] = self._source_traceback
            self._loop.call_exception_handler(context)


class TimerHandle(Handle):
    """A handle with a deadline on the loop's clock (``loop.time()``)."""

    __slots__ = ("_scheduled", "_when")

    def __init__(
        self, when: float, callback: Callable[..., object], args: tuple[Any, ...],
        loop: EventLoop, context: contextvars.Context | None = None,
    ) -> None:  # fmt: skip
        super().__init__(callback, args, loop, context)
        self._when = when
        self._scheduled = False  # True while the handle sits in the loop's heap

    def _repr_info(self) -> list[str]:
        info = super()._repr_info()
        info.insert(2 if self._cancelled else 1, f"when={self._when}")
        return info

    # --8<-- [start:timer_handle]
    # The heap compares deadlines only, exactly like CPython: heapq is not stable, so timers
    # with equal deadlines do not come out in the order they went in, on either loop.
    def __lt__(self, other: TimerHandle) -> bool:
        return self._when < other._when

    def when(self) -> float:
        return self._when

    def cancel(self) -> None:
        if not self._cancelled:
            self._loop._timer_handle_cancelled(self)
        super().cancel()
        # --8<-- [end:timer_handle]
