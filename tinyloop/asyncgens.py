"""Async generators: the loop keeps track of them so that none is left half-run.

CPython: ``Lib/asyncio/base_events.py`` (``_asyncgen_firstiter_hook``,
``_asyncgen_finalizer_hook``, ``shutdown_asyncgens``). An async generator's ``finally`` block may
``await``, so it cannot run inside the garbage collector's call: while a loop runs, it registers
hooks with ``sys.set_asyncgen_hooks`` that note every generator on its first iteration, and close
a collected one in a task of its own. ``run()`` closes those still suspended at the end.
"""

from __future__ import annotations

import sys
import warnings
import weakref
from typing import TYPE_CHECKING, Any

from tinyloop.gathering import gather

if TYPE_CHECKING:
    from tinyloop.loop import EventLoop


class AsyncGenerators:
    """The async generators first iterated while ``loop`` ran, and not yet collected."""

    def __init__(self, loop: EventLoop) -> None:
        self._loop = loop
        self._live: weakref.WeakSet[Any] = weakref.WeakSet()
        self._shutdown_called = False

    def install_hooks(self) -> Any:
        """Watch async generators from now on; return the hooks to put back afterwards."""
        old_hooks = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(firstiter=self._first_iteration, finalizer=self._collected)
        return old_hooks

    def _first_iteration(self, agen: Any) -> None:
        if self._shutdown_called:
            warnings.warn(
                f"asynchronous generator {agen!r} was scheduled after "
                "loop.shutdown_asyncgens() call",
                ResourceWarning,
                stacklevel=2,
                source=self._loop,
            )
        self._live.add(agen)

    def _collected(self, agen: Any) -> None:
        self._live.discard(agen)
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._loop.create_task, agen.aclose())

    async def shutdown(self) -> None:
        """Close every generator still suspended, and report the ones that fail to close."""
        self._shutdown_called = True
        agens = list(self._live)
        self._live.clear()
        results = await gather(*(agen.aclose() for agen in agens), return_exceptions=True)
        for agen, result in zip(agens, results, strict=True):
            if isinstance(result, Exception):
                message = f"an error occurred during closing of asynchronous generator {agen!r}"
                self._loop.call_exception_handler(
                    {"message": message, "exception": result, "asyncgen": agen}
                )
