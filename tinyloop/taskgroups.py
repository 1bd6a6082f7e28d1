"""TaskGroup: tasks that finish together, or fail together (Python 3.11+).

CPython: ``Lib/asyncio/taskgroups.py``. Leaving ``async with TaskGroup()`` waits for every task
created in it. The first task to fail cancels the others and the task running the block; on the
way out, the group raises every error it collected in one ``ExceptionGroup``. Because the group
itself cancelled the parent task, it takes that cancellation back with ``uncancel()``, so that
only a cancellation from outside propagates as CancelledError.
"""

from __future__ import annotations

from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

from tinyloop.exceptions import CancelledError
from tinyloop.futures import Future
from tinyloop.running import get_running_loop
from tinyloop.tasks import Task, current_task

T = TypeVar("T")


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

    def __repr__(self) -> str:
        return f"<TaskGroup tasks={len(self._tasks)}{' entered' if self._entered else ''}>"

    async def __aenter__(self) -> TaskGroup:
        if self._entered:
            raise RuntimeError(f"TaskGroup {self!r} has already been entered")
        self._parent_task = current_task()
        if self._parent_task is None:
            raise RuntimeError(f"TaskGroup {self!r} cannot determine the parent task")
        self._entered = True
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._exiting = True
        # SystemExit and KeyboardInterrupt end the program, not only the group: they go on
        # up alone, as asyncio's _is_base_error decides.
        if isinstance(exc, (SystemExit, KeyboardInterrupt)) and self._base_error is None:
            self._base_error = exc
        propagate_cancel = exc if et is CancelledError else None
        if self._parent_cancel_requested and self._parent_task.uncancel() == 0:
            propagate_cancel = None  # the cancellation was ours, not the caller's
        if et is not None and not self._aborting:
            self._abort()
        while self._tasks:  # wait for every task, even when the block failed
            self._on_completed = get_running_loop().create_future()
            try:
                await self._on_completed
            except CancelledError as cancelled:
                if not self._aborting:
                    propagate_cancel = cancelled
                    self._abort()
            self._on_completed = None
        if self._base_error is not None:
            raise self._base_error
        if propagate_cancel is not None and not self._errors:
            raise propagate_cancel
        if et is not None and et is not CancelledError:
            assert exc is not None
            self._errors.append(exc)
        if self._errors:
            errors, self._errors = self._errors, []
            raise BaseExceptionGroup("unhandled errors in a TaskGroup", errors) from None

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
        self._tasks.add(task)
        task.add_done_callback(self._on_task_done)
        return task

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
