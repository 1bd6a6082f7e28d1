"""A future's repr: its state, its outcome, its callbacks, and where it was created.

CPython: ``Lib/asyncio/base_futures.py`` (``_future_repr_info``, ``_format_callbacks``). A task's
repr (``base_tasks``) starts from the same list of parts.
"""

from __future__ import annotations

import reprlib
from typing import Any

from tinyloop.format_helpers import _format_callback_source

__all__: list[str] = []

# A future's three states; futures.py uses them too.
_PENDING = "PENDING"
_CANCELLED = "CANCELLED"
_FINISHED = "FINISHED"


def _format_callbacks(callbacks: list[tuple[Any, Any]]) -> str:
    """The first and the last callback by name, and how many there are between them."""
    names = [_format_callback_source(fn) for fn, _context in callbacks]
    if len(names) > 2:
        names = [names[0], f"<{len(names) - 2} more>", names[-1]]
    return f"cb=[{', '.join(names)}]"


def _future_repr_info(future: Any) -> list[str]:
    info = [future._state.lower()]
    if future._state == _FINISHED:
        if future._exception is not None:
            info.append(f"exception={future._exception!r}")
        else:  # reprlib: a long result must not make the repr as long
            info.append(f"result={reprlib.repr(future._result)}")
    if future._callbacks:
        info.append(_format_callbacks(future._callbacks))
    if future._source_traceback:  # made in debug mode
        frame = future._source_traceback[-1]
        info.append(f"created at {frame.filename}:{frame.lineno}")
    return info


def _future_repr(future: Any) -> str:
    return f"<{type(future).__name__} {' '.join(_future_repr_info(future))}>"
