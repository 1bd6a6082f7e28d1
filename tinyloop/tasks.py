"""Task: drives one coroutine, one step at a time, on the loop.

CPython: ``Lib/asyncio/tasks.py`` (``Task.__step``, ``Task.__wakeup``, ``sleep``, ``gather``),
normally replaced by the C version in ``Modules/_asynciomodule.c``. A step is one
``coro.send(None)`` (or ``coro.throw(exc)``): the coroutine runs, through every nested ``await``
of coroutines, until something at the bottom of the chain yields a pending future. The task then
registers ``__wakeup`` as that future's done-callback and returns to the loop.
"""

from __future__ import annotations

import contextvars
import inspect
import itertools
import math
import types
import weakref
from collections.abc import Awaitable, Coroutine, Generator
from typing import TYPE_CHECKING, Any, TypeVar, cast

from tinyloop import base_tasks
from tinyloop.base_futures import _PENDING
from tinyloop.coroutines import iscoroutine
from tinyloop.exceptions import CancelledError, InvalidStateError
from tinyloop.futures import Future, isfuture
from tinyloop.running import get_running_loop

if TYPE_CHECKING:
    from tinyloop.loop import EventLoop

T = TypeVar("T")

_task_names = itertools.count(1)
# Every task not yet collected, as weak references: the loop keeps no strong reference to a
# waiting task. A plain set rather than a WeakSet, for other threads' loops: adding a task
# (``set.add``), dropping it when collected (``set.discard``, the reference's callback) and
# copying the set (``set.copy``) are each one call into C, which no other thread can interrupt,
# whereas iterating a WeakSet runs Python code between items, while another thread may add one.
_all_tasks: set[weakref.ref[Task[Any]]] = set()
_forget = _all_tasks.discard  # the callback of every reference: one bound method, not one each
_current_tasks: dict[EventLoop, Task[Any]] = {}
_OTHER_LOOP = "The future belongs to a different loop than the one specified as the loop argument"


class Task(Future[T]):
    """A future that runs a coroutine; its result is the coroutine's return value."""

    _log_destroy_pending = False  # set once the first step is scheduled; see __del__

    def __init__(
        self,
        coro: Coroutine[Any, Any, T],
        *,
        loop: EventLoop | None = None,
        name: object = None,
        context: contextvars.Context | None = None,
        eager_start: bool | None = None,
    ) -> None:
        if context is not None and not isinstance(context, contextvars.Context):  # 3.15's check
            raise TypeError(f"a contextvars.Context was expected, got {type(context).__name__}")
        super().__init__(loop=loop)
        if not iscoroutine(coro):
            raise TypeError(f"a coroutine was expected, got {coro!r}")
        self._coro = coro
        self._name = f"Task-{next(_task_names)}" if name is None else str(name)
        self._context = context if context is not None else contextvars.copy_context()
        self._fut_waiter: Future[Any] | None = None  # the future this task is suspended on
        self._must_cancel = False  # cancel() arrived while no future was awaited
        self._num_cancels_requested = 0
        self._log_destroy_pending = True
        # The loop's instruments (tinyloop's loop updates this dict in place). Another loop has
        # none: a task needs nothing of its loop but asyncio's public methods.
        self._observers = getattr(self._loop, "_observers", {})
        for observe in self._observers.get("task_spawned", ()):
            observe(self)
        if eager_start and self._loop.is_running():  # 3.12+: the first step now, in our step
            _all_tasks.add(weakref.ref(self, _forget))
            outer = _current_tasks.pop(self._loop, None)  # the task creating this one
            self._context.run(self.__step)
            if outer is not None:
                _current_tasks[self._loop] = outer
        else:  # the first step is an ordinary callback: creating a task runs none of its code
            self._loop.call_soon(self.__step, context=self._context)
            # Only now: if call_soon failed, the task never existed for all_tasks().
            _all_tasks.add(weakref.ref(self, _forget))

    def __repr__(self) -> str:
        return base_tasks._task_repr(self)

    def __del__(self) -> None:
        # A failed __init__ leaves a half-built task: read the class-level flag first, and the
        # state (set by __init__, after which the flag turns True) only if the flag allows.
        if self._log_destroy_pending and not self.done():
            context = {"message": "Task was destroyed but it is pending!", "task": self}
            if self._source_traceback:
                context["source_traceback"] = self._source_traceback
            self._loop.call_exception_handler(context)
        super().__del__()

    def get_coro(self) -> Coroutine[Any, Any, T]:
        return self._coro

    def get_context(self) -> contextvars.Context:
        return self._context

    def get_name(self) -> str:
        return self._name

    def set_name(self, value: object) -> None:
        self._name = str(value)

    def set_result(self, result: T) -> None:
        raise RuntimeError("Task does not support set_result operation")

    def set_exception(self, exception: BaseException | type[BaseException]) -> None:
        raise RuntimeError("Task does not support set_exception operation")

    def cancel(self, msg: Any = None) -> bool:
        self._log_traceback = False
        if self.done():
            return False
        self._num_cancels_requested += 1
        # Cancelling the awaited future wakes this task with CancelledError at its await.
        if self._fut_waiter is not None and self._fut_waiter.cancel(msg=msg):
            return True
        # No future to cancel (the task is about to run): throw it in at the next step.
        self._must_cancel = True
        self._cancel_message = msg
        return True

    def get_stack(self, *, limit: int | None = None) -> list[types.FrameType]:
        return base_tasks.get_stack(self, limit)

    def print_stack(self, *, limit: int | None = None, file: Any = None) -> None:
        base_tasks.print_stack(self, limit, file)

    def cancelling(self) -> int:
        return self._num_cancels_requested

    def uncancel(self) -> int:
        if self._num_cancels_requested > 0:
            self._num_cancels_requested -= 1
            if self._num_cancels_requested == 0:  # every cancel() undone: none is pending
                self._must_cancel = False
        return self._num_cancels_requested

    # --8<-- [start:step]
    def __step(self, exc: BaseException | None = None) -> None:
        if self._state != _PENDING:  # the result was set from outside (Future.set_result)
            raise InvalidStateError(f"_step(): already done: {self!r}, {exc!r}")
        if self._must_cancel:
            if not isinstance(exc, CancelledError):
                exc = self._make_cancelled_error()
            self._must_cancel = False
        self._fut_waiter = None
        _current_tasks[self._loop] = self
        for observe in self._observers.get("before_task_step", ()):
            observe(self)
        try:
            result = self._coro.send(None) if exc is None else self._coro.throw(exc)
        except StopIteration as stop:
            if self._must_cancel:  # cancelled during its last step: cancellation wins
                self._must_cancel = False
                super().cancel(msg=self._cancel_message)
            else:
                super().set_result(stop.value)
        except CancelledError as cancelled:
            self._cancelled_exc = cancelled
            super().cancel()
        except (KeyboardInterrupt, SystemExit) as fatal:
            super().set_exception(fatal)
            raise
        except BaseException as error:
            super().set_exception(error)
        else:
            self.__suspend_on(result)
        finally:
            del _current_tasks[self._loop]
            observers = self._observers
            for observe in observers.get("after_task_step", ()):
                observe(self)
            if "task_exited" in observers and self.done():
                for observe in observers["task_exited"]:
                    observe(self)
        # --8<-- [end:step]

    # --8<-- [start:suspend_and_wakeup]
    def __suspend_on(self, result: object) -> None:
        """Decide what the object the coroutine yielded means, and arrange the next step."""
        if result is None:
            # A bare yield (``sleep(0)``): give every other ready callback a turn first.
            self._loop.call_soon(self.__step, context=self._context)
        elif getattr(result, "_asyncio_future_blocking", None) is not None:
            # A future: any future-like object will do (duck typing, as in asyncio, which tests
            # the same attribute here): asyncio's own futures too, when tinyloop's loop runs
            # under asyncio.
            self.__wait_for(cast("Future[Any]", result))
        else:
            self.__fail_next_step(RuntimeError(f"Task got bad yield: {result!r}"))

    def __wait_for(self, future: Future[Any]) -> None:
        if future.get_loop() is not self._loop:
            problem = f"Task {self!r} got Future {future!r} attached to a different loop"
            self.__fail_next_step(RuntimeError(problem))
        elif not future._asyncio_future_blocking:
            problem = f"yield was used instead of yield from in task {self!r} with {future!r}"
            self.__fail_next_step(RuntimeError(problem))
        elif future is self:
            self.__fail_next_step(RuntimeError(f"Task cannot await on itself: {self!r}"))
        else:
            future._asyncio_future_blocking = False
            future.add_done_callback(self.__wakeup, context=self._context)
            self._fut_waiter = future
            if self._must_cancel and future.cancel(msg=self._cancel_message):
                self._must_cancel = False

    def __fail_next_step(self, exc: BaseException) -> None:
        self._loop.call_soon(self.__step, exc, context=self._context)

    def __wakeup(self, future: Future[Any]) -> None:
        # The awaited future is done; its outcome reaches the coroutine at its await, through
        # Future.__await__ returning future.result() (or raising).
        try:
            future.result()
        except BaseException as exc:
            self.__step(exc)
        else:
            self.__step()
        # --8<-- [end:suspend_and_wakeup]


def current_task(loop: EventLoop | None = None) -> Task[Any] | None:
    return _current_tasks.get(loop if loop is not None else get_running_loop())


def all_tasks(loop: EventLoop | None = None) -> set[Task[Any]]:
    """The tasks of ``loop`` that are not done yet."""
    loop = loop if loop is not None else get_running_loop()
    tasks = [ref() for ref in _all_tasks.copy()]  # one atomic copy: see _all_tasks
    return {t for t in tasks if t is not None and t.get_loop() is loop and not t.done()}


def create_task(
    coro: Coroutine[Any, Any, T], *, name: object = None, context: Any = None, **kw: Any
) -> Task[T]:
    return get_running_loop().create_task(coro, name=name, context=context, **kw)


def create_eager_task_factory(custom_task_constructor: Any) -> Any:
    """A task factory whose tasks take their first step at once (3.12+): ``set_task_factory``."""

    def factory(loop: EventLoop, coro: Coroutine[Any, Any, Any], **options: Any) -> Any:
        return custom_task_constructor(coro, loop=loop, **{"eager_start": True, **options})

    return factory


eager_task_factory = create_eager_task_factory(Task)


def ensure_future(obj: Awaitable[T], *, loop: EventLoop | None = None) -> Future[T]:
    """A future as is; a coroutine wrapped in a task; anything else awaitable, awaited by one."""
    if isfuture(obj):
        # A future completes only on its own loop: waiting for it on another would never end.
        if loop is not None and obj.get_loop() is not loop:  # type: ignore[attr-defined]
            raise ValueError(_OTHER_LOOP)
        return cast("Future[T]", obj)
    return (loop or get_running_loop()).create_task(as_coroutine(obj))


def as_coroutine(obj: Awaitable[T]) -> Coroutine[Any, Any, T]:
    """``obj`` if it is a coroutine, else a coroutine that awaits it, for a task to drive."""
    if iscoroutine(obj):
        return cast(Coroutine[Any, Any, T], obj)
    if inspect.isawaitable(obj):
        return _wrap_awaitable(obj)
    raise TypeError("An asyncio.Future, a coroutine or an awaitable is required")


async def _wrap_awaitable(awaitable: Awaitable[T]) -> T:
    return await awaitable


@types.coroutine
def _yield_once() -> Generator[None, None, None]:
    yield  # a bare yield: the task reschedules itself behind everything already ready


async def sleep(delay: float, result: T | None = None) -> T | None:
    """Suspend for at least ``delay`` seconds: a future, and a timer that completes it."""
    if delay <= 0:
        await _yield_once()
        return result
    if math.isnan(delay):
        raise ValueError("Invalid delay: NaN (not a number)")
    loop = get_running_loop()
    future: Future[T | None] = loop.create_future()
    timer = loop.call_later(delay, _set_result_unless_cancelled, future, result)
    try:
        return await future
    finally:
        timer.cancel()  # cancelled sleep: the timer must not outlive it


def _set_result_unless_cancelled(future: Future[T], result: T) -> None:
    if not future.cancelled():
        future.set_result(result)
