"""TaskGroup: tasks that finish together, or fail together (Python 3.11+).

CPython: ``Lib/asyncio/taskgroups.py``. Leaving ``async with TaskGroup()`` waits for every task
created in it. The first task to fail cancels the others and the task running the block; on the
way out, the group raises every error it collected in one ``ExceptionGroup``. Because the group
itself cancelled the parent task, it takes that cancellation back with ``uncancel()``, so that
only a cancellation from outside propagates as CancelledError. The versions differ in when it
does: 3.11 and 3.12 before waiting for the tasks, 3.13 on after, so that a cancellation the group
asked for during the wait is taken back too. 3.15 adds ``TaskGroup.cancel()``.
"""

from __future__ import annotations

import sys
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

from tinyloop.exceptions import CancelledError
from tinyloop.futures import Future
from tinyloop.running import get_running_loop
from tinyloop.tasks import Task, current_task

T = TypeVar("T")

_UNCANCEL_AFTER_WAIT = sys.version_info >= (3, 13)
_HAS_CANCEL = sys.version_info >= (3, 15)


class TaskGroup:
    """``async with TaskGroup() as group: group.create_task(...)``."""

    def __init__(self) -> None:
        self._entered = False
        self._exiting = False
        self._aborting = False
        self._parent_task: Any = None
        self._parent_cancel_requested = False
        self._tasks: set[Future[Any]] = set()
        self._errors: list[BaseException] = []
        self._base_error: BaseException | None = None
        self._on_completed: Future[bool] | None = None
        self._cancel_on_enter = False  # cancel() was called before async with

    def __repr__(self) -> str:
        return f"<TaskGroup tasks={len(self._tasks)}{' entered' if self._entered else ''}>"

    async def __aenter__(self) -> TaskGroup:
        if self._entered:
            raise RuntimeError(f"TaskGroup {self!r} has already been entered")
        self._parent_task = current_task()
        if self._parent_task is None:
            raise RuntimeError(f"TaskGroup {self!r} cannot determine the parent task")
        self._entered = True
        if self._cancel_on_enter:
            self.cancel()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        self._exiting = True
        # SystemExit and KeyboardInterrupt end the program, not only the group: they go on
        # up alone, as asyncio's _is_base_error decides.
        if isinstance(exc, (SystemExit, KeyboardInterrupt)) and self._base_error is None:
            self._base_error = exc
        propagate_cancel = exc if et is CancelledError else None
        requested = self._parent_cancel_requested  # before 3.13, taken back before the wait
        if not _UNCANCEL_AFTER_WAIT and requested and self._parent_task.uncancel() == 0:
            propagate_cancel = None  # the cancellation was ours, not the caller's
        if et is not None and not self._aborting:
            self._abort()
        pending_cancel = None  # a cancellation that reached the wait below
        while self._tasks:  # wait for every task, even when the block failed
            self._on_completed = get_running_loop().create_future()
            try:
                await self._on_completed
            except CancelledError as cancelled:
                pending_cancel = cancelled
                if not self._aborting:
                    propagate_cancel = cancelled
                    self._abort()
            self._on_completed = None
        if self._base_error is not None:
            raise self._base_error
        if _UNCANCEL_AFTER_WAIT and self._parent_cancel_requested:
            if self._parent_task.uncancel() == 0:
                propagate_cancel = None  # every cancellation was ours, not the caller's
            elif propagate_cancel is None and _HAS_CANCEL:
                propagate_cancel = pending_cancel  # one from outside came during the wait
        if propagate_cancel is not None and not self._errors:
            raise propagate_cancel
        if et is not None and et is not CancelledError:
            assert exc is not None
            self._errors.append(exc)
        if self._errors:
            if _UNCANCEL_AFTER_WAIT and self._parent_task.cancelling():
                # A cancellation from outside is still owed: the errors go up now, and the
                # cancellation comes again at the task's next await.
                self._parent_task.uncancel()
                self._parent_task.cancel()
            errors, self._errors = self._errors, []
            if _HAS_CANCEL and isinstance(exc, GeneratorExit) and len(errors) == 1:
                raise exc  # an async generator's aclose() must see its own GeneratorExit
            raise BaseExceptionGroup("unhandled errors in a TaskGroup", errors) from None
        return True  # what deserved raising was raised: a cancel() of the block's own ends here

    def create_task(
        self, coro: Coroutine[Any, Any, T], *, name: object = None, context: Any = None
    ) -> Task[T]:
        if not self._entered:
            raise RuntimeError(f"TaskGroup {self!r} has not been entered")
        if self._exiting and not self._tasks:
            raise RuntimeError(f"TaskGroup {self!r} is finished")
        if self._aborting:
            raise RuntimeError(f"TaskGroup {self!r} is shutting down")
        task = get_running_loop().create_task(coro, name=name, context=context)
        if _HAS_CANCEL and self._aborting and not task.done():
            task.cancel()  # an eager task cancelled the group before it joined it (gh-155418)
        self._tasks.add(task)
        task.add_done_callback(self._on_task_done)
        return task

    if _HAS_CANCEL:

        def cancel(self) -> None:
            """Cancel the group's tasks and its block, which then ends without CancelledError.
            Called before ``async with``, it cancels the group as it is entered; after, never."""
            if not self._entered:
                self._cancel_on_enter = True
                return
            if self._exiting and not self._tasks:
                return
            if not self._aborting:
                self._abort()
                if not self._parent_cancel_requested:
                    self._parent_cancel_requested = True
                    self._parent_task.cancel()

    def _abort(self) -> None:
        self._aborting = True
        for task in self._tasks:
            if not task.done():
                task.cancel()

    def _on_task_done(self, task: Future[Any]) -> None:
        self._tasks.discard(task)
        if self._on_completed is not None and not self._tasks and not self._on_completed.done():
            self._on_completed.set_result(True)
        if task.cancelled() or (error := task.exception()) is None:
            return
        self._errors.append(error)
        if isinstance(error, (SystemExit, KeyboardInterrupt)) and self._base_error is None:
            self._base_error = error
        if not self._aborting and not self._parent_cancel_requested:
            # Stop the siblings, and wake the block's task if it is still inside the block.
            self._abort()
            self._parent_cancel_requested = True
            self._parent_task.cancel()
