"""Coroutines and coroutine functions, a coroutine's repr, and whether debug mode is on by default.

CPython: ``Lib/asyncio/coroutines.py`` (``iscoroutine``, ``iscoroutinefunction``,
``_format_coroutine``, ``_is_debug_mode``).
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Coroutine
from typing import Any

__all__ = ["iscoroutine", "iscoroutinefunction"]

_is_coroutine = object()  # the marker asyncio's old ``@coroutine`` decorator set


# The types ``iscoroutine`` has said yes to. An isinstance check against the Coroutine ABC
# costs several times a set lookup, and every task pays it twice; CPython keeps the same cache
# (``coroutines._iscoroutine_typecache``), capped the same way.
_coroutine_types: set[type] = set()


def iscoroutine(obj: object) -> bool:
    if type(obj) in _coroutine_types:
        return True
    if isinstance(obj, Coroutine):
        if len(_coroutine_types) < 100:
            _coroutine_types.add(type(obj))
        return True
    return False


def iscoroutinefunction(func: Any) -> bool:
    """Whether calling ``func`` makes a coroutine (``async def``, or marked as one)."""
    return (
        inspect.iscoroutinefunction(func) or getattr(func, "_is_coroutine", None) is _is_coroutine
    )


def _is_debug_mode() -> bool:
    """Debug mode is on by default under ``python -X dev`` or with ``PYTHONASYNCIODEBUG`` set."""
    return sys.flags.dev_mode or (
        not sys.flags.ignore_environment and bool(os.environ.get("PYTHONASYNCIODEBUG"))
    )


def _format_coroutine(coro: Any) -> str:
    """``name() running at file:line`` while the coroutine can still run (the line it is at),
    ``name() done, defined at file:line`` once it has ended (the line of its ``def``)."""
    name = f"{getattr(coro, '__qualname__', None) or type(coro).__name__}()"
    code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
    if code is None:  # a coroutine-like object that is not a Python coroutine
        return name
    frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
    if frame is not None:
        return f"{name} running at {code.co_filename}:{frame.f_lineno}"
    return f"{name} done, defined at {code.co_filename}:{code.co_firstlineno}"
