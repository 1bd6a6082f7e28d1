"""tinyloop's loop under asyncio itself, the way uvloop stands in for asyncio's loop.

No single CPython counterpart: this is the contract of ``asyncio.AbstractEventLoop``
(``Lib/asyncio/events.py``) as ``asyncio.Runner(loop_factory=…)`` (3.11+) and
``asyncio.run(…, loop_factory=…)`` (3.12+) use it. asyncio's own primitives (``Lock``, ``Queue``,
``timeout``, ``TaskGroup``) find the running loop and the current task in asyncio's registries,
not tinyloop's. So the loop here registers itself as asyncio's running loop while it runs.

It hands out one of two kinds of futures and tasks. Made by ``tinyloop.new_event_loop`` for
asyncio (``loop_factory=``), the loop makes asyncio's own ``Future`` and ``Task``, as uvloop does:
then ``isinstance(fut, asyncio.Future)`` holds for what it makes, and asyncio's tasks keep
asyncio's registries (``asyncio.current_task``, ``asyncio.all_tasks``) themselves. Made for
tinyloop's own runner, and standing in for asyncio, it makes tinyloop's, which tinyloop's
registries hold. The core modules know nothing of this.
"""

from __future__ import annotations

import asyncio
import asyncio.events
import sys
import warnings
from collections.abc import Coroutine
from typing import Any

from tinyloop.unix_events import UnixEventLoop


class AsyncioEventLoop(UnixEventLoop, asyncio.AbstractEventLoop):  # type: ignore[misc]
    """tinyloop's event loop, visible to asyncio as its running loop."""

    def __init__(self, *, asyncio_tasks: bool = False) -> None:
        super().__init__()
        self._asyncio_tasks = asyncio_tasks  # hand out asyncio's Future and Task

    def create_future(self) -> Any:
        if self._asyncio_tasks:
            return asyncio.Future(loop=self)
        return super().create_future()

    def create_task(  # type: ignore[override]
        self, coro: Coroutine[Any, Any, Any], *, name: object = None, context: Any = None, **kw: Any
    ) -> Any:
        if not self._asyncio_tasks or self._task_factory is not None:
            return super().create_task(coro, name=name, context=context, **kw)
        self._check_closed()
        return asyncio.Task(coro, loop=self, name=name, context=context, **kw)  # type: ignore[arg-type]

    if sys.version_info < (3, 14):  # asyncio's child watchers, gone in 3.14

        async def _start(self, *args: Any) -> tuple[Any, Any]:
            # Until 3.14 asyncio's policy names who reaps the children, and asyncio's loop
            # asks it before it starts one: so does this loop for asyncio.
            if not self._asyncio_tasks:
                return await super()._start(*args)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                watcher = asyncio.get_child_watcher()
            with watcher:
                if not watcher.is_active():
                    raise RuntimeError(
                        "asyncio.get_child_watcher() is not activated, "
                        "subprocess support is not installed."
                    )
                self._child_watcher = watcher
                return await super()._start(*args)

        # asyncio's PidfdChildWatcher watches its pidfd through these private names.
        _add_reader = UnixEventLoop.add_reader
        _remove_reader = UnixEventLoop.remove_reader

    def run_forever(self) -> None:
        # Refuse before registering: a refused call must leave the running loop registered.
        self._check_not_running()
        if asyncio.events._get_running_loop() is not None:  # one of asyncio's loops runs here
            raise RuntimeError("Cannot run the event loop while another loop is running")
        asyncio.events._set_running_loop(self)
        try:
            super().run_forever()
        finally:
            asyncio.events._set_running_loop(None)


def new_event_loop() -> AsyncioEventLoop:
    """A new tinyloop loop. As a ``loop_factory`` for ``asyncio.Runner`` and ``asyncio.run``, it
    hands out asyncio's own ``Future`` and ``Task``; standing in for asyncio (``python -m
    tinyloop``, where ``import asyncio`` gives tinyloop), tinyloop's."""
    standing_in = sys.modules.get("asyncio") is sys.modules["tinyloop"]
    # typeshed marks AbstractEventLoop's unimplemented methods abstract; at run time they raise
    # NotImplementedError, as asyncio's own loops do for what they lack.
    return AsyncioEventLoop(asyncio_tasks=not standing_in)  # type: ignore[abstract]


def new_tinyloop_event_loop() -> AsyncioEventLoop:
    """A new loop that hands out tinyloop's ``Future`` and ``Task``: ``run``'s and ``Runner``'s."""
    return AsyncioEventLoop()  # type: ignore[abstract]
