"""The event loop: a FIFO queue of ready callbacks, a heap of timers, and one selector.

CPython: ``Lib/asyncio/base_events.py`` (``BaseEventLoop``: ``call_soon``, ``call_at``,
``run_forever``, ``_run_once``, ``run_until_complete``). Everything the loop ever does is run a
callback: a task's next step, a future's done callback, a timer. ``_run_once`` is one turn of the
loop, in five phases, numbered in the order CPython's ``_run_once`` runs them (the same numbers
are used on every page of the site):

1. drop cancelled timers (all of them, or those at the top of the heap);
2. compute the timeout: 0 if something is ready, else until the earliest timer, else none;
3. the selector wait, then I/O events become ready callbacks (``_process_events``);
4. move the due timers to the back of the ready queue;
5. run the handles that were ready when phase 5 began, and no others: a callback scheduled now
   waits for the next turn, so a task that keeps rescheduling itself cannot starve I/O.

The selector wait of phase 3 is how ``sleep`` sleeps: no thread, no process, just the
selector's timeout. The selector's I/O side (readers, writers, sockets) is in ``selector_io``.
"""

from __future__ import annotations

import collections
import heapq
import logging
import math
import selectors
import sys
import threading
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, TypeVar

from tinyloop import debug, running
from tinyloop.asyncgens import AsyncGenerators
from tinyloop.coroutines import _is_debug_mode, iscoroutine
from tinyloop.futures import Future
from tinyloop.handles import Handle, TimerHandle
from tinyloop.instruments import Instruments
from tinyloop.tasks import Task, ensure_future
from tinyloop.threads import join_executor, wrap_future

T = TypeVar("T")
ExceptionHandler = Callable[["EventLoop", dict[str, Any]], object]
TaskFactory = Callable[..., "Task[Any]"]  # (loop, coro, **keywords) -> a task

logger = logging.getLogger("asyncio")  # the name readers configure for asyncio's reports

# The numbers CPython uses (base_events.py): compact the heap when over half of its timers
# (and more than 100) are cancelled; never ask the selector to wait more than a day.
_MIN_SCHEDULED_TIMER_HANDLES = 100
_MIN_CANCELLED_TIMER_HANDLES_FRACTION = 0.5
MAXIMUM_SELECT_TIMEOUT = 24 * 3600


class EventLoop(Instruments):
    """Runs callbacks, timers and I/O callbacks in one thread."""

    def __init__(self, selector: selectors.BaseSelector | None = None) -> None:
        self._ready: collections.deque[Handle] = collections.deque()
        self._scheduled: list[TimerHandle] = []  # a heap, earliest deadline first
        self._timer_cancelled_count = 0  # cancelled handles still in the heap
        self._selector = selector if selector is not None else selectors.DefaultSelector()
        self._stopping = False
        self._closed = False
        self._thread_id: int | None = None  # set while run_forever runs
        self._exception_handler: ExceptionHandler | None = None
        self._task_factory: TaskFactory | None = None  # None: create_task makes a Task
        # Debug mode (debug.py): on by default under -X dev or with PYTHONASYNCIODEBUG set.
        self._debug = _is_debug_mode()
        self.slow_callback_duration = 0.1  # seconds: debug mode logs a handle that runs longer
        self._current_handle: Handle | None = None  # the handle running now, in debug mode
        self._saved_origin_depth: int | None = None  # set while coroutine origins are tracked
        # Timers due within one clock tick count as due: the clock cannot tell them apart.
        self._clock_resolution = time.get_clock_info("monotonic").resolution
        self._default_executor: ThreadPoolExecutor | None = None
        self._asyncgens = AsyncGenerators(self)
        # What observes the loop (instruments.py). A call site calls
        # ``self._observers.get(event, ())``: an event nobody observes costs one dict lookup.
        self._instruments: list[object] = []
        self._observers: dict[str, list[Callable[..., object]]] = {}

    def __repr__(self) -> str:
        state = "running" if self.is_running() else "closed" if self._closed else "idle"
        return f"<{type(self).__name__} {state} debug={self._debug}>"

    def __del__(self, _warn: Callable[..., None] = warnings.warn) -> None:
        if not self._closed:
            _warn(f"unclosed event loop {self!r}", ResourceWarning, source=self)

    # -- time and scheduling -------------------------------------------------------------

    def time(self) -> float:
        """The loop's clock: monotonic seconds, unrelated to the wall clock."""
        return time.monotonic()

    def call_soon(self, callback: Callable[..., object], *args: Any, context: Any = None) -> Handle:
        """Run ``callback(*args)`` in a later turn, after everything already ready (FIFO)."""
        if self._closed or self._debug or not callable(callback):
            self._check_call(callback, "call_soon")  # one test on the good path, every call
        handle = Handle(callback, args, self, context)
        self._ready.append(handle)
        return handle

    def call_later(
        self, delay: float, callback: Callable[..., object], *args: Any, context: Any = None
    ) -> TimerHandle:
        """Run ``callback(*args)`` no earlier than ``delay`` seconds from now."""
        if delay is None:
            raise TypeError("delay must not be None")
        return self.call_at(self.time() + delay, callback, *args, context=context)

    def call_at(
        self, when: float, callback: Callable[..., object], *args: Any, context: Any = None
    ) -> TimerHandle:
        """Run ``callback(*args)`` once ``loop.time()`` has reached ``when``."""
        if when is None:
            raise TypeError("when cannot be None")
        if math.isnan(when):
            raise ValueError("Invalid delay: NaN (not a number)")
        if self._closed or self._debug or not callable(callback):
            self._check_call(callback, "call_at")
        timer = TimerHandle(when, callback, args, self, context)
        heapq.heappush(self._scheduled, timer)
        timer._scheduled = True
        for observe in self._observers.get("timer_scheduled", ()):
            observe(timer)
        return timer

    def _check_call(self, callback: object, method: str) -> None:
        """Raise the error a call to ``method`` with ``callback`` deserves, if any."""
        self._check_closed()
        if self._debug:  # first: a coroutine is not callable, and deserves the plainer message
            debug.check_callback(self, callback, method)
        if not callable(callback):
            raise TypeError(f"a callable object was expected by {method}(), got {callback!r}")

    def _timer_handle_cancelled(self, handle: TimerHandle) -> None:
        # Removing from the middle of a heap is O(n); leave the handle there and count it.
        if handle._scheduled:
            self._timer_cancelled_count += 1

    # -- futures and tasks ---------------------------------------------------------------

    def create_future(self) -> Future[Any]:
        return Future(loop=self)

    def create_task(
        self, coro: Coroutine[Any, Any, T], *, name: object = None, context: Any = None, **kw: Any
    ) -> Task[T]:
        """``kw``: from 3.14, whatever else ``Task`` or the task factory takes (``eager_start``)."""
        self._check_closed()
        if self._task_factory is None:
            return Task(coro, loop=self, name=name, context=context, **kw)
        # The factory gets the keywords given, context= only if given. Before 3.14 it never gets
        # name=: the loop names the task afterwards. From 3.14 it does, so that an eager task
        # has its name in its first step.
        given = {"context": context, "name": name if sys.version_info >= (3, 14) else None}
        kw.update((key, value) for key, value in given.items() if value is not None)
        task = self._task_factory(self, coro, **kw)
        if name is not None and "name" not in kw:
            task.set_name(name)
        return task

    def set_task_factory(self, factory: TaskFactory | None) -> None:
        """Make ``create_task`` call ``factory(loop, coro, **keywords)``; None restores Task."""
        if factory is not None and not callable(factory):
            raise TypeError("task factory must be a callable or None")
        self._task_factory = factory

    def get_task_factory(self) -> TaskFactory | None:
        return self._task_factory

    # -- threads ---------------------------------------------------------------------------

    def run_in_executor(
        self, executor: Executor | None, func: Callable[..., T], *args: Any
    ) -> Future[T]:
        """Run ``func(*args)`` in a thread pool (the loop's own, by default); await the result."""
        self._check_call(func, "run_in_executor")
        if executor is None:
            if self._default_executor is None:
                self._default_executor = ThreadPoolExecutor(thread_name_prefix="asyncio")
            executor = self._default_executor
        return wrap_future(executor.submit(func, *args), loop=self)

    def set_default_executor(self, executor: ThreadPoolExecutor) -> None:
        if not isinstance(executor, ThreadPoolExecutor):
            raise TypeError("executor must be ThreadPoolExecutor")
        self._default_executor = executor

    # -- running -------------------------------------------------------------------------

    # --8<-- [start:run_forever]
    def run_forever(self) -> None:
        """Run turns of the loop until ``stop()`` is called."""
        self._check_closed()
        self._check_not_running()
        self._thread_id = threading.get_ident()
        old_hooks = self._asyncgens.install_hooks()
        running._set_running_loop(self)
        debug.track_coroutine_origins(self, self._debug)
        try:
            while True:
                self._run_once()
                if self._stopping:
                    break
        finally:
            self._stopping = False
            self._thread_id = None
            running._set_running_loop(None)
            debug.track_coroutine_origins(self, False)
            sys.set_asyncgen_hooks(*old_hooks)

    # --8<-- [end:run_forever]

    def run_until_complete(self, future: Awaitable[T]) -> T:
        """Run until ``future`` (or the task wrapping a coroutine) is done; return its result."""
        self._check_closed()
        self._check_not_running()
        new_task = iscoroutine(future)
        fut = ensure_future(future, loop=self)
        if new_task:
            # If it does not finish, the caller hears of it below; no "destroyed" report too.
            fut._log_destroy_pending = False  # type: ignore[attr-defined]
        fut.add_done_callback(_run_until_complete_cb)
        try:
            self.run_forever()
        except BaseException:
            if new_task and fut.done() and not fut.cancelled():
                fut.exception()  # the caller has no other way to see it: mark it retrieved
            raise
        finally:
            fut.remove_done_callback(_run_until_complete_cb)
        if not fut.done():
            raise RuntimeError("Event loop stopped before Future completed.")
        return fut.result()

    def stop(self) -> None:
        """Stop after the current turn (one more turn if called while the loop is not running)."""
        self._stopping = True

    def is_running(self) -> bool:
        return self._thread_id is not None

    def is_closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Drop every pending callback and release the selector and the executor."""
        if self.is_running():
            raise RuntimeError("Cannot close a running event loop")
        if self._closed:
            return
        self._closed = True
        self._ready.clear()
        self._scheduled.clear()
        executor, self._default_executor = self._default_executor, None
        if executor is not None:
            executor.shutdown(wait=False)
        self._selector.close()

    def _check_closed(self) -> None:
        if self._closed:
            raise RuntimeError("Event loop is closed")

    def _check_not_running(self) -> None:
        if self.is_running():
            raise RuntimeError("This event loop is already running")
        if running._get_running_loop() is not None:
            raise RuntimeError("Cannot run the event loop while another loop is running")

    # -- one turn ------------------------------------------------------------------------

    # --8<-- [start:run_once]
    # --8<-- [start:run_once_body]
    def _run_once(self) -> None:
        """One turn of the loop: the five phases of the module docstring."""
        # Phases 1 and 4 are skipped when they cannot do anything: with no cancelled timer in
        # the heap there is nothing to drop, with no timer nothing can be due. A busy loop
        # with no timers (a task switching with sleep(0)) pays two tests, not two calls.
        if self._timer_cancelled_count:  # phase 1
            self._drop_cancelled_timers()
        timeout = self._select_timeout()  # phase 2
        for observe in self._observers.get("before_io_wait", ()):
            observe(timeout)
        events = self._selector.select(timeout)  # phase 3: the selector wait
        for observe in self._observers.get("after_io_wait", ()):
            observe(events)
        self._process_events(events)
        if self._scheduled:  # phase 4
            self._move_due_timers_to_ready()
        # Phase 5, only what is ready now: callbacks added while these run wait for the next turn.
        for _ in range(len(self._ready)):
            handle = self._ready.popleft()
            if handle._cancelled:
                continue
            if self._debug:  # time it: debug mode warns of slow callbacks
                debug.run_timed(self, handle)
            else:
                handle._run()

    # --8<-- [end:run_once_body]

    # --8<-- [start:drop_cancelled_timers]
    def _drop_cancelled_timers(self) -> None:
        scheduled = len(self._scheduled)
        if (
            scheduled > _MIN_SCHEDULED_TIMER_HANDLES
            and self._timer_cancelled_count / scheduled > _MIN_CANCELLED_TIMER_HANDLES_FRACTION
        ):
            # Mostly dead weight: rebuild the heap from the live timers in one pass.
            live = [timer for timer in self._scheduled if not timer._cancelled]
            for timer in self._scheduled:
                timer._scheduled = not timer._cancelled
            heapq.heapify(live)
            self._scheduled = live
            self._timer_cancelled_count = 0
        else:
            # Cheap case: only the top matters for the timeout, so clear cancelled ones there.
            while self._scheduled and self._scheduled[0]._cancelled:
                self._timer_cancelled_count -= 1
                heapq.heappop(self._scheduled)._scheduled = False

    # --8<-- [end:drop_cancelled_timers]

    # --8<-- [start:select_timeout]
    def _select_timeout(self) -> float | None:
        if self._ready or self._stopping:
            return 0  # work is waiting: only look at I/O, do not block
        if self._scheduled:
            # Clamped with two comparisons, as 3.13 does, not min(max(...)): two builtin calls
            # less in every turn that has a timer pending.
            wait = self._scheduled[0]._when - self.time()
            if wait > MAXIMUM_SELECT_TIMEOUT:
                return MAXIMUM_SELECT_TIMEOUT
            return wait if wait > 0 else 0
        return None  # nothing ready, no timer: block until I/O (or a threadsafe wake-up)

    # --8<-- [end:select_timeout]

    # --8<-- [start:process_events]
    def _process_events(self, events: list[tuple[selectors.SelectorKey, int]]) -> None:
        """Turn I/O readiness into ready callbacks; ``selector_io`` fills this in."""

    # --8<-- [end:process_events]

    # --8<-- [start:move_due_timers]
    def _move_due_timers_to_ready(self) -> None:
        end_time = self.time() + self._clock_resolution
        while self._scheduled and self._scheduled[0]._when < end_time:
            timer = heapq.heappop(self._scheduled)
            timer._scheduled = False
            self._ready.append(timer)
            for observe in self._observers.get("timer_due", ()):
                observe(timer)

    # --8<-- [end:move_due_timers]
    # --8<-- [end:run_once]

    # -- errors --------------------------------------------------------------------------

    def get_exception_handler(self) -> ExceptionHandler | None:
        return self._exception_handler

    def set_exception_handler(self, handler: ExceptionHandler | None) -> None:
        if handler is not None and not callable(handler):
            raise TypeError(f"A callable object or None is expected, got {handler!r}")
        self._exception_handler = handler

    def default_exception_handler(self, context: dict[str, Any]) -> None:
        """Log an error nobody handled: the message, then every other key of the context."""
        message = context.get("message") or "Unhandled exception in event loop"
        exception = context.get("exception")
        exc_info = (type(exception), exception, exception.__traceback__) if exception else False
        lines = [message, *debug.context_lines(self, context)]
        logger.error("\n".join(lines), exc_info=exc_info)

    def call_exception_handler(self, context: dict[str, Any]) -> None:
        """Report an error that has no caller to raise to (a callback, a lost task)."""
        handler = self._exception_handler
        try:
            if handler is None:
                self.default_exception_handler(context)
            else:
                handler(self, context)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            # A broken handler must not take the loop down with it.
            logger.error("Unhandled error in exception handler", exc_info=exc)

    def get_debug(self) -> bool:
        return self._debug

    def set_debug(self, enabled: bool) -> None:
        self._debug = enabled
        if self.is_running():  # the tracking depth is per thread: change it in the loop's
            self.call_soon_threadsafe(debug.track_coroutine_origins, self, enabled)

    # -- shutting down -------------------------------------------------------------------

    def call_soon_threadsafe(
        self, callback: Callable[..., object], *args: Any, context: Any = None
    ) -> Handle:
        """``call_soon`` from any thread; ``selector_io`` also wakes the selector up."""
        if self._closed or self._debug or not callable(callback):
            self._check_call(callback, "call_soon_threadsafe")
        handle = Handle(callback, args, self, context)
        self._ready.append(handle)  # deque.append is atomic: no lock against the loop's thread
        return handle

    async def shutdown_asyncgens(self) -> None:
        """Close every async generator still suspended (``asyncio.run`` calls this)."""
        await self._asyncgens.shutdown()

    async def shutdown_default_executor(self, timeout: float | None = None) -> None:
        """Wait for the default executor's threads to finish (``asyncio.run`` calls this)."""
        executor, self._default_executor = self._default_executor, None
        if executor is not None:
            await join_executor(self, executor, timeout)


def _run_until_complete_cb(future: Future[Any]) -> None:
    # KeyboardInterrupt and SystemExit are already on their way out of run_forever.
    if not future.cancelled() and isinstance(future.exception(), (SystemExit, KeyboardInterrupt)):
        return
    future.get_loop().stop()
