"""Coroutine functions, and debug mode.

CPython: ``Lib/asyncio/coroutines.py`` (``iscoroutinefunction``, ``_is_debug_mode``).
"""

from __future__ import annotations

import inspect
import os
import sys
from typing import Any

__all__ = ["iscoroutinefunction"]

_is_coroutine = object()  # the marker asyncio's old ``@coroutine`` decorator set


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
