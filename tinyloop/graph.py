"""Who awaits whom: the records behind asyncio's call graphs (3.14+).

CPython: ``future_add_to_awaited_by`` and ``future_discard_from_awaited_by`` in
``Lib/asyncio/futures.py``, read by ``Lib/asyncio/graph.py``. A task awaiting a future is known
from the future's callbacks; a library whose tasks wait for each other in other ways (anyio's
task groups) records the edge itself. tinyloop keeps the records as asyncio does, in the future's
``_asyncio_awaited_by``, for its own futures only; it has no ``capture_call_graph`` to read
them, and its own ``gather``, ``shield`` and ``wait`` record nothing.
"""

from __future__ import annotations

from typing import Any

from tinyloop.futures import Future

__all__ = ["future_add_to_awaited_by", "future_discard_from_awaited_by"]


def future_add_to_awaited_by(fut: Any, waiter: Any, /) -> None:
    """Record that ``waiter`` (a task) awaits ``fut``."""
    if isinstance(fut, Future) and isinstance(waiter, Future):
        if fut._asyncio_awaited_by is None:
            fut._asyncio_awaited_by = set()
        fut._asyncio_awaited_by.add(waiter)


def future_discard_from_awaited_by(fut: Any, waiter: Any, /) -> None:
    """Forget that record."""
    awaited_by = getattr(fut, "_asyncio_awaited_by", None)
    if awaited_by is not None:
        awaited_by.discard(waiter)
