"""tinyloop's loop under asyncio itself, the way uvloop stands in for asyncio's loop.

No single CPython counterpart: this is the contract of ``asyncio.AbstractEventLoop``
(``Lib/asyncio/events.py``) as ``asyncio.Runner(loop_factory=…)`` (3.11+) and
``asyncio.run(…, loop_factory=…)`` (3.12+) use it. asyncio's own primitives (``Lock``, ``Queue``,
``timeout``, ``TaskGroup``) find the running loop and the current task in asyncio's registries,
not tinyloop's. So the loop here registers itself as asyncio's running loop while it runs, and an
instrument (see ``EventLoop.add_instrument``) enters each tinyloop task into asyncio's
current-task and all-tasks registries around its steps. The core modules know nothing of this.
"""

from __future__ import annotations

import asyncio
import asyncio.events
import asyncio.tasks
from typing import Any

from tinyloop.sockets import SocketEventLoop


class _AsyncioRegistry:
    """An instrument that mirrors tinyloop's task bookkeeping into asyncio's."""

    def task_spawned(self, task: Any) -> None:
        asyncio.tasks._register_task(task)  # so asyncio.all_tasks() and Runner.close() see it

    def before_task_step(self, task: Any) -> None:
        asyncio.tasks._enter_task(task.get_loop(), task)  # asyncio.current_task()

    def after_task_step(self, task: Any) -> None:
        asyncio.tasks._leave_task(task.get_loop(), task)


class AsyncioEventLoop(SocketEventLoop, asyncio.AbstractEventLoop):  # type: ignore[misc]
    """tinyloop's event loop, visible to asyncio as its running loop."""

    def __init__(self) -> None:
        super().__init__()
        self.add_instrument(_AsyncioRegistry())

    def run_forever(self) -> None:
        asyncio.events._set_running_loop(self)
        try:
            super().run_forever()
        finally:
            asyncio.events._set_running_loop(None)
