"""A task's repr, and its stack: ``Task.get_stack`` and ``Task.print_stack``.

CPython: ``Lib/asyncio/base_tasks.py`` (``_task_repr_info``, ``_task_get_stack``,
``_task_print_stack``). The repr is a future's (``base_futures``) with the task's name, its
coroutine and the future it waits for put in. A task
suspended at an ``await`` has one frame to show, its coroutine's: the frames of the coroutines
it awaits hang below it (``cr_await``), not above. A task that ended with an exception shows
the frames of that exception's traceback instead.
"""

from __future__ import annotations

import sys
import traceback
import types
from typing import Any

from tinyloop.base_futures import _future_repr_info
from tinyloop.coroutines import _format_coroutine

__all__: list[str] = []


def _task_repr(task: Any) -> str:
    info = _future_repr_info(task)
    if task.cancelling() and not task.done():  # cancel() was called; the task has not ended
        info[0] = "cancelling"
    info.insert(1, f"name={task.get_name()!r}")
    if task._fut_waiter is not None:
        info.insert(2, f"wait_for={task._fut_waiter!r}")
    info.insert(2, f"coro=<{_format_coroutine(task._coro)}>")
    return f"<{type(task).__name__} {' '.join(info)}>"


def get_stack(task: Any, limit: int | None) -> list[types.FrameType]:
    """The task's frames, oldest first: at most ``limit`` of them, the newest for a running or
    suspended coroutine, the oldest for a traceback (asyncio's choice)."""
    coro = task.get_coro()
    frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
    frames: list[types.FrameType] = []
    if frame is not None:
        while frame is not None and (limit is None or len(frames) < limit):
            frames.append(frame)
            frame = frame.f_back
        return frames[::-1]
    tb = task._exception.__traceback__ if task._exception is not None else None
    while tb is not None and tb.tb_frame.f_globals.get("__name__") == "tinyloop.tasks":
        tb = tb.tb_next  # Task.__step, which caught it: asyncio's step is C, and shows none
    while tb is not None and (limit is None or len(frames) < limit):
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    return frames


def print_stack(task: Any, limit: int | None, file: Any) -> None:
    """Print the stack (or traceback) as ``traceback`` prints one, with asyncio's heading."""
    file = sys.stderr if file is None else file
    frames = task.get_stack(limit=limit)
    exc = task._exception
    if not frames:
        heading = "No stack for"
    elif exc is not None:
        heading = "Traceback for"
    else:
        heading = "Stack for"
    tail = "" if not frames else " (most recent call last):"
    print(f"{heading} {task!r}{tail}", file=file)
    summary = traceback.StackSummary.extract((frame, frame.f_lineno) for frame in frames)
    print("".join(summary.format()), end="", file=file)
    if exc is not None:
        print("".join(traceback.format_exception_only(exc)), end="", file=file)
