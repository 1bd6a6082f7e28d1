"""Future and Task as asyncio's: reprs, subscripting, a future never initialised, uncancel, and
a task whose result was set from outside. Each test runs against asyncio and tinyloop alike;
CPython's test_futures and test_tasks found each difference (tools/cpython_suite.py).
"""

from __future__ import annotations

import re
import sys
import types
from types import ModuleType
from typing import Any

import pytest


def test_future_of_a_type_is_a_generic_alias(aio: ModuleType) -> None:
    alias = aio.Future[int]
    assert isinstance(alias, types.GenericAlias)
    assert alias.__args__ == (int,)


def test_a_subclass_of_task_is_subscriptable_too(aio: ModuleType) -> None:
    class MyTask(aio.Task):  # type: ignore[name-defined,misc]
        pass

    assert isinstance(MyTask[str], types.GenericAlias)


def test_a_future_whose_init_was_skipped_is_pending_and_says_it_is_not_initialised(
    aio: ModuleType,
) -> None:
    class Skipped(aio.Future):  # type: ignore[name-defined,misc]
        def __init__(self) -> None:
            pass  # no super().__init__()

    future = Skipped()
    with pytest.raises(aio.InvalidStateError):
        future.result()
    with pytest.raises(RuntimeError, match="Future object is not initialized"):
        future.get_loop()


def _callback(future: Any) -> None:
    pass


def test_a_future_repr_names_its_callbacks_and_where_they_are_defined(aio: ModuleType) -> None:
    async def main() -> str:
        future = aio.get_running_loop().create_future()
        future.add_done_callback(_callback)
        text = repr(future)
        future.cancel()
        return text

    source = f"{__file__}:{_callback.__code__.co_firstlineno}"
    assert aio.run(main()) == f"<Future pending cb=[_callback() at {source}]>"


def test_a_future_repr_names_the_first_and_last_of_many_callbacks(aio: ModuleType) -> None:
    async def main() -> str:
        future = aio.get_running_loop().create_future()
        for _ in range(4):
            future.add_done_callback(print)
        text = repr(future)
        future.cancel()
        return text

    assert aio.run(main()) == "<Future pending cb=[print(), <2 more>, print()]>"


def test_a_finished_future_repr_shortens_a_long_result(aio: ModuleType) -> None:
    async def main() -> str:
        future = aio.get_running_loop().create_future()
        future.set_result("x" * 1000)
        return repr(future)

    text = aio.run(main())
    assert text.startswith("<Future finished result='xxxxxxxxxx") and len(text) < 100, text


async def _wait_for(future: Any) -> Any:
    return await future


def test_a_waiting_task_repr_shows_the_future_it_waits_for(aio: ModuleType) -> None:
    async def main() -> str:
        future = aio.get_running_loop().create_future()
        task = aio.create_task(_wait_for(future), name="waiter")
        await aio.sleep(0)
        text = repr(task)
        future.set_result(None)
        await task
        return text

    text = aio.run(main())
    expected = (
        r"<Task pending name='waiter' coro=<_wait_for\(\) running at .+:\d+> wait_for=<Future"
    )
    assert re.match(expected, text), text


def test_a_cancelled_task_that_has_not_ended_reads_cancelling(aio: ModuleType) -> None:
    async def main() -> str:
        task = aio.create_task(aio.sleep(10), name="sleeper")
        await aio.sleep(0)
        task.cancel()
        text = repr(task)
        with pytest.raises(aio.CancelledError):
            await task
        return text

    assert aio.run(main()).startswith("<Task cancelling name='sleeper' coro=<sleep() running at ")


def test_a_finished_task_repr_names_its_coroutine_then_its_result(aio: ModuleType) -> None:
    async def answer() -> int:
        return 42

    async def main() -> str:
        task = aio.create_task(answer(), name="answer")
        await task
        return repr(task)

    text = aio.run(main())
    expected = (
        r"<Task finished name='answer' coro=<.*answer\(\) done, defined at .+:\d+> result=42>"
    )
    assert re.fullmatch(expected, text), text


def test_uncancel_to_zero_takes_back_a_cancel_the_task_has_not_seen(aio: ModuleType) -> None:
    if aio.__name__ == "asyncio" and sys.version_info < (3, 13):
        pytest.skip("asyncio before 3.13 delivers the cancel anyway; tinyloop does as 3.13 on")

    async def main() -> tuple[int, str]:
        task = aio.create_task(aio.sleep(0, "slept"))
        task.cancel()  # before its first step: it would be thrown in at that step
        left = task.uncancel()
        return left, await task

    assert aio.run(main()) == (0, "slept")


def test_a_step_of_a_task_whose_result_was_set_from_outside_is_an_invalid_state(
    aio: ModuleType,
) -> None:
    reports: list[BaseException] = []

    async def foo() -> int:
        await aio.sleep(0.01)
        return 10

    async def main() -> str:
        loop = aio.get_running_loop()
        loop.set_exception_handler(lambda loop, context: reports.append(context["exception"]))
        coro = foo()
        task = loop.create_task(coro)
        aio.Future.set_result(task, "spam")  # the base class's method, as CPython's test does
        result = await task
        await aio.sleep(0)  # the task's first step, which finds it done
        coro.close()
        return result

    assert aio.run(main()) == "spam"
    assert len(reports) == 1 and isinstance(reports[0], aio.InvalidStateError)
    assert "_step(): already done" in str(reports[0])


def test_a_task_whose_first_step_could_not_be_scheduled_is_not_among_all_tasks(
    aio: ModuleType,
) -> None:
    async def nothing() -> None:
        pass

    async def main() -> set[Any]:
        loop = aio.get_running_loop()

        def refuse(*args: Any, **kwargs: Any) -> None:
            raise ValueError("no room")

        coro = nothing()
        loop.call_soon = refuse
        try:
            with pytest.raises(ValueError):
                aio.Task(coro, loop=loop)
        finally:
            del loop.call_soon
            coro.close()
        return aio.all_tasks() - {aio.current_task()}

    assert aio.run(main()) == set()


@pytest.mark.skipif(sys.version_info < (3, 14), reason="the call-graph records are new in 3.14")
def test_future_add_to_awaited_by_records_the_waiter_until_it_is_discarded(
    aio: ModuleType,
) -> None:
    async def main() -> tuple[bool, bool]:
        future = aio.get_running_loop().create_future()
        waiter = aio.current_task()
        aio.future_add_to_awaited_by(future, waiter)
        recorded = set(future._asyncio_awaited_by) == {waiter}
        aio.future_discard_from_awaited_by(future, waiter)
        forgotten = not future._asyncio_awaited_by
        future.cancel()
        return recorded, forgotten

    assert aio.run(main()) == (True, True)


def _before_315(aio: ModuleType) -> bool:
    return aio.__name__ == "asyncio" and sys.version_info < (3, 15)


def test_a_task_refuses_a_context_that_is_not_a_context(aio: ModuleType) -> None:
    if _before_315(aio):
        pytest.skip("asyncio checks the context from 3.15 (gh-157301); tinyloop on every version")

    async def nothing() -> None:
        pass

    async def main() -> str:
        coro = nothing()
        try:
            with pytest.raises(TypeError) as refused:
                aio.get_running_loop().create_task(coro, context="not a context")
        finally:
            coro.close()
        await aio.sleep(0)  # the loop goes on
        return str(refused.value)

    assert aio.run(main()) == "a contextvars.Context was expected, got str"


@pytest.mark.skipif(sys.version_info < (3, 15), reason="a second __init__ is refused from 3.15")
def test_a_future_is_initialised_only_once(aio: ModuleType) -> None:

    async def main() -> str:
        future = aio.get_running_loop().create_future()
        with pytest.raises(RuntimeError) as refused:
            future.__init__(loop=aio.get_running_loop())
        return str(refused.value)

    # asyncio's C future names its type in full: "_asyncio.Future object ..."
    assert aio.run(main()).endswith("Future object is already initialized")
