"""Timeouts: ``timeout()``, ``timeout_at()`` and ``wait_for()``.

CPython: ``Lib/asyncio/timeouts.py`` (3.11+) and ``wait_for`` in ``Lib/asyncio/tasks.py`` (3.12's
version, built on ``timeout``). A timeout is a timer that cancels the current task; on the way
out, the ``async with`` block turns the CancelledError it caused, and only that one, into
``TimeoutError``. ``Task.uncancel()`` is how it tells its own cancellation from someone else's.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Coroutine
from types import TracebackType
from typing import Any, Literal, TypeVar

from tinyloop.exceptions import CancelledError, TimeoutError
from tinyloop.handles import Handle
from tinyloop.running import get_running_loop
from tinyloop.tasks import current_task, ensure_future

T = TypeVar("T")


# asyncio's names, shown by repr: "active" inside the block; "expiring" once the timer has
# cancelled the task, until __aexit__ makes it "expired"; "finished" if it left in time.
_State = Literal["created", "active", "expiring", "expired", "finished"]


class Timeout:
    """``async with Timeout(when):`` cancels the block at ``when`` (on the loop's clock)."""

    def __init__(self, when: float | None) -> None:
        self._state: _State = "created"
        self._when = when
        self._handle: Handle | None = None
        self._task: Any = None
        self._cancelling = 0

    def __repr__(self) -> str:
        when = f" when={self._when}" if self._state == "active" else ""
        return f"<Timeout [{self._state}]{when}>"

    def when(self) -> float | None:
        return self._when

    def expired(self) -> bool:
        return self._state in ("expiring", "expired")

    def reschedule(self, when: float | None) -> None:
        if self._state != "active":
            raise RuntimeError(f"Cannot change state of {self._state} Timeout")
        self._when = when
        if self._handle is not None:
            self._handle.cancel()
        loop = get_running_loop()
        if when is None:
            self._handle = None
        elif when <= loop.time():
            self._handle = loop.call_soon(self._on_timeout)
        else:
            self._handle = loop.call_at(when, self._on_timeout)

    async def __aenter__(self) -> Timeout:
        if self._state != "created":
            raise RuntimeError("Timeout has already been entered")
        self._task = current_task()
        if self._task is None:
            raise RuntimeError("Timeout should be used inside a task")
        self._state = "active"
        self._cancelling = self._task.cancelling()
        self.reschedule(self._when)
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._state == "expiring":
            self._state = "expired"
            # Ours only if no cancellation beyond the ones counted on entry remains.
            if self._task.uncancel() <= self._cancelling and et is CancelledError:
                raise TimeoutError from exc
        elif self._state == "active":
            self._state = "finished"

    def _on_timeout(self) -> None:
        self._task.cancel()
        self._state = "expiring"
        self._handle = None


def timeout(delay: float | None) -> Timeout:
    """A ``Timeout`` ``delay`` seconds from now; ``None`` never expires (until rescheduled)."""
    return Timeout(get_running_loop().time() + delay if delay is not None else None)


def timeout_at(when: float | None) -> Timeout:
    return Timeout(when)


async def wait_for(aw: Awaitable[T], timeout: float | None) -> T:
    """Await ``aw``, cancelling it and raising TimeoutError after ``timeout`` seconds."""
    if timeout is not None and math.isnan(timeout):
        # Refused, as every tinyloop delay is (asyncio 3.11 and 3.12 time out at once, 3.13 on
        # its loop fails): close ``aw``, which nobody else will await now.
        if isinstance(aw, Coroutine):
            aw.close()
        raise ValueError("Invalid timeout: NaN (not a number)")
    if timeout is not None and timeout <= 0:
        fut = ensure_future(aw)
        if fut.done():
            return fut.result()
        fut.cancel()
        try:
            await fut
        except CancelledError as exc:
            raise TimeoutError from exc
        return fut.result()
    async with Timeout(get_running_loop().time() + timeout if timeout is not None else None):
        return await aw
