"""How the reprs and the reports of debug mode name a callback, and where it was created.

CPython: ``Lib/asyncio/format_helpers.py``. A callback is named by its qualified name and the
file and line where it is defined; a handle, future or task made in debug mode keeps the stack
that created it (``extract_stack``), which its repr and the error reports about it show.
"""

from __future__ import annotations

import functools
import inspect
import sys
import traceback
import types
from typing import Any

__all__: list[str] = []

DEBUG_STACK_DEPTH = 10  # asyncio's constants.DEBUG_STACK_DEPTH: frames kept per object


def _get_function_source(func: Any) -> tuple[str, int] | None:
    """Where ``func`` (or the function a partial wraps) is defined; None for other callables."""
    func = inspect.unwrap(func)
    if inspect.isfunction(func):
        return func.__code__.co_filename, func.__code__.co_firstlineno
    if isinstance(func, (functools.partial, functools.partialmethod)):
        return _get_function_source(func.func)
    return None


def _format_callback_source(func: Any) -> str:
    """``name()`` and, for a function, `` at file:line``; a partial adds a ``()``. Arguments are
    not shown: asyncio shows them only in debug mode, and they may hold secrets."""
    target, calls = func, "()"
    while isinstance(target, functools.partial):
        target, calls = target.func, calls + "()"
    name = getattr(target, "__qualname__", None) or getattr(target, "__name__", None)
    text = (name or repr(target)) + calls
    source = _get_function_source(func)
    return text if source is None else f"{text} at {source[0]}:{source[1]}"


def extract_stack() -> traceback.StackSummary:
    """The newest ``DEBUG_STACK_DEPTH`` frames of the caller's stack from the first frame outside
    tinyloop, oldest first, without reading source lines: this runs for every handle and future
    in debug mode. Its last frame is the line that asked for the object, whichever of tinyloop's
    functions made it (asyncio drops its own frames one by one, and keeps some)."""
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith("tinyloop."):
        frame = frame.f_back
    walk = traceback.walk_stack(frame)
    stack = traceback.StackSummary.extract(walk, limit=DEBUG_STACK_DEPTH, lookup_lines=False)
    stack.reverse()
    return stack
