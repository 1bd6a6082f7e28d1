"""The runner: ``run(main())`` makes a loop, runs ``main`` in a task, and cleans up after it.

CPython: ``Lib/asyncio/runners.py`` (``run``, ``Runner``). Cleaning up is most of the work:
cancel the tasks ``main`` left behind and wait for them, close suspended async generators, wait
for the default executor's threads, close the loop.
"""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tinyloop import running
from tinyloop.asyncio_compat import new_tinyloop_event_loop
from tinyloop.coroutines import iscoroutine
from tinyloop.gathering import gather
from tinyloop.loop import EventLoop
from tinyloop.tasks import all_tasks, as_coroutine

T = TypeVar("T")
LoopFactory = Callable[[], EventLoop]


_default_loop_factory: LoopFactory = new_tinyloop_event_loop


def set_loop_factory(factory: LoopFactory | None) -> None:
    """Choose the loop ``run()`` and ``Runner()`` create when given no ``loop_factory``; ``None``
    restores ``new_tinyloop_event_loop``. (asyncio's counterpart is the event loop policy.)"""
    global _default_loop_factory
    _default_loop_factory = factory if factory is not None else new_tinyloop_event_loop


class Runner:
    """A loop that runs one coroutine after another, closed by ``close()`` or ``with``."""

    def __init__(
        self, *, debug: bool | None = None, loop_factory: LoopFactory | None = None
    ) -> None:
        self._debug = debug
        self._loop_factory = loop_factory or _default_loop_factory
        self._loop: EventLoop | None = None
        self._closed = False
        self._context = contextvars.copy_context()

    def __enter__(self) -> Runner:
        self.get_loop()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get_loop(self) -> EventLoop:
        if self._closed:
            raise RuntimeError("Runner is closed")
        if self._loop is None:
            self._loop = self._loop_factory()
            if self._debug is not None:
                self._loop.set_debug(self._debug)
        return self._loop

    def run(self, coro: Awaitable[T], *, context: contextvars.Context | None = None) -> T:
        """Run ``coro`` in a task until it is done; return its result or raise its exception."""
        if sys.version_info < (3, 14) and not iscoroutine(coro):
            # Before 3.14 asyncio's Runner takes a coroutine and nothing else.
            raise ValueError(f"a coroutine was expected, got {coro!r}")
        if running._get_running_loop() is not None:
            raise RuntimeError("Runner.run() cannot be called from a running event loop")
        loop = self.get_loop()
        main = as_coroutine(coro)  # 3.14 on: any awaitable, as asyncio's Runner.run takes
        task = loop.create_task(main, context=context if context is not None else self._context)
        return loop.run_until_complete(task)

    def close(self) -> None:
        """Cancel what is left, close async generators and the executor, close the loop."""
        loop = self._loop
        if self._closed or loop is None:
            self._closed = True
            return
        try:
            _cancel_all_tasks(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()
            self._loop = None
            self._closed = True


def run(
    main: Awaitable[T], *, debug: bool | None = None, loop_factory: LoopFactory | None = None
) -> T:
    """Run ``main`` on a new loop and close the loop; the program's entry point."""
    if running._get_running_loop() is not None:
        raise RuntimeError("asyncio.run() cannot be called from a running event loop")
    with Runner(debug=debug, loop_factory=loop_factory) as runner:
        return runner.run(main)


def _cancel_all_tasks(loop: EventLoop) -> None:
    leftover = all_tasks(loop)
    if not leftover:
        return
    for task in leftover:
        task.cancel()
    # Cancelling only asks; the tasks must run to see their CancelledError and clean up.
    loop.run_until_complete(gather(*leftover, return_exceptions=True))
    for task in leftover:
        exception = None if task.cancelled() else task.exception()
        if exception is not None:
            message = "unhandled exception during asyncio.run() shutdown"
            context = {"message": message, "exception": exception, "task": task}
            loop.call_exception_handler(context)
