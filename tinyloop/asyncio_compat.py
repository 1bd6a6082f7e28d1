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
import functools

from tinyloop.connections import ConnectionEventLoop


class _AsyncioRegistry:
    """An instrument that mirrors tinyloop's task bookkeeping into asyncio's.

    Its observers are asyncio's own registry functions, bound to the loop: they run at every
    step of every task, so no Python frame of ours stands between the loop and them."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        # so asyncio.all_tasks() and Runner.close() see the task
        self.task_spawned = asyncio.tasks._register_task
        # asyncio.current_task() during the step
        self.before_task_step = functools.partial(asyncio.tasks._enter_task, loop)
        self.after_task_step = functools.partial(asyncio.tasks._leave_task, loop)


class AsyncioEventLoop(ConnectionEventLoop, asyncio.AbstractEventLoop):  # type: ignore[misc]
    """tinyloop's event loop, visible to asyncio as its running loop."""

    def __init__(self) -> None:
        super().__init__()
        self.add_instrument(_AsyncioRegistry(self))

    def run_forever(self) -> None:
        asyncio.events._set_running_loop(self)
        try:
            super().run_forever()
        finally:
            asyncio.events._set_running_loop(None)
