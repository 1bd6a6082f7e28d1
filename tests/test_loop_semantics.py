"""The loop's order of events, written once and run against asyncio and tinyloop alike."""

from __future__ import annotations

import contextvars
import gc
import sys
from collections.abc import Generator
from types import ModuleType
from typing import Any

import pytest


def test_call_soon_runs_callbacks_in_fifo_order(aio: ModuleType) -> None:
    order: list[int] = []

    async def main() -> None:
        loop = aio.get_running_loop()
        for i in range(5):
            loop.call_soon(order.append, i)
        await aio.sleep(0)

    aio.run(main())
    assert order == [0, 1, 2, 3, 4]


def test_a_turn_runs_only_callbacks_that_were_ready_when_it_began(aio: ModuleType) -> None:
    events: list[str] = []

    async def main() -> None:
        loop = aio.get_running_loop()

        def first() -> None:
            events.append("first")
            loop.call_soon(events.append, "scheduled by first")

        loop.call_soon(first)
        loop.call_soon(events.append, "second")
        await aio.sleep(0)  # this task's next step is queued behind first and second
        events.append("task resumed")
        await aio.sleep(0)

    aio.run(main())
    assert events == ["first", "second", "task resumed", "scheduled by first"]


def test_timers_with_equal_deadlines_leave_the_heap_in_heapq_order(aio: ModuleType) -> None:
    # heapq is not stable: equal deadlines do not fire in scheduling order on either loop.
    fired: list[str] = []

    async def main() -> None:
        loop = aio.get_running_loop()
        when = loop.time() + 0.01
        for name in "ABCDEFG":
            loop.call_at(when, fired.append, name)
        await aio.sleep(0.05)

    aio.run(main())
    assert "".join(fired) == "ACGFBDE"


def test_timers_fire_in_deadline_order(aio: ModuleType) -> None:
    fired: list[float] = []

    async def main() -> None:
        loop = aio.get_running_loop()
        for delay in (0.03, 0.01, 0.02):
            loop.call_later(delay, fired.append, delay)
        await aio.sleep(0.05)

    aio.run(main())
    assert fired == [0.01, 0.02, 0.03]


def test_a_cancelled_timer_never_fires(aio: ModuleType) -> None:
    fired: list[str] = []

    async def main() -> None:
        loop = aio.get_running_loop()
        loop.call_later(0.01, fired.append, "cancelled").cancel()
        loop.call_later(0.02, fired.append, "kept")
        await aio.sleep(0.03)

    aio.run(main())
    assert fired == ["kept"]


def test_many_cancelled_timers_are_compacted_out_of_the_heap(aio: ModuleType) -> None:
    async def main() -> int:
        loop = aio.get_running_loop()
        timers = [loop.call_later(60 + i, print) for i in range(200)]
        for timer in timers[1:150]:
            timer.cancel()
        await aio.sleep(0)  # one turn: more than half are cancelled, so the heap is rebuilt
        size = len(loop._scheduled)
        for timer in timers:
            timer.cancel()
        return size

    assert aio.run(main()) == 51


def test_sleep_zero_yields_without_a_timer(aio: ModuleType) -> None:
    async def main() -> int:
        loop = aio.get_running_loop()
        task = aio.create_task(aio.sleep(0))
        await aio.sleep(0)  # the sleeping task ran its first step: a bare yield
        timers = len(loop._scheduled)
        await task
        return timers

    assert aio.run(main()) == 0


def test_sleep_returns_its_result_after_at_least_the_delay(aio: ModuleType) -> None:
    async def main() -> tuple[str, float]:
        loop = aio.get_running_loop()
        start = loop.time()
        result = await aio.sleep(0.05, "done")
        return result, loop.time() - start

    result, elapsed = aio.run(main())
    assert result == "done"
    assert elapsed >= 0.05


def test_done_callbacks_run_in_registration_order_each_in_its_context(aio: ModuleType) -> None:
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")
    seen: list[tuple[int, str]] = []

    async def main() -> None:
        fut = aio.get_running_loop().create_future()
        for i in range(3):
            ctx = contextvars.copy_context()
            ctx.run(var.set, f"ctx{i}")
            fut.add_done_callback(lambda f, i=i: seen.append((i, var.get())), context=ctx)
        fut.set_result(None)
        assert seen == []  # callbacks go through call_soon, never inline
        await aio.sleep(0)

    aio.run(main())
    assert seen == [(0, "ctx0"), (1, "ctx1"), (2, "ctx2")]


def test_a_task_runs_every_step_in_its_own_context(aio: ModuleType) -> None:
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")

    async def child(name: str) -> list[str]:
        var.set(name)
        seen = [var.get()]
        await aio.sleep(0)
        seen.append(var.get())
        return seen

    async def main() -> list[list[str]]:
        return list(await aio.gather(child("a"), child("b")))

    assert aio.run(main()) == [["a", "a"], ["b", "b"]]


def test_creating_a_task_runs_none_of_its_code(aio: ModuleType) -> None:
    events: list[str] = []

    async def child() -> None:
        events.append("child ran")

    async def main() -> None:
        task = aio.create_task(child())
        events.append("task created")
        await task

    aio.run(main())
    assert events == ["task created", "child ran"]


def test_awaiting_a_coroutine_stays_in_the_same_task(aio: ModuleType) -> None:
    async def inner() -> Any:
        return aio.current_task()

    async def main() -> bool:
        return await inner() is aio.current_task()

    assert aio.run(main()) is True


def test_cancel_while_awaiting_cancels_the_awaited_future(aio: ModuleType) -> None:
    async def main() -> tuple[bool, bool]:
        fut = aio.get_running_loop().create_future()

        async def waiter() -> None:
            await fut

        task = aio.create_task(waiter())
        await aio.sleep(0)
        task.cancel()
        with pytest.raises(aio.CancelledError):
            await task
        return fut.cancelled(), task.cancelled()

    assert aio.run(main()) == (True, True)


def test_cancel_before_the_first_step_means_the_coroutine_never_runs(aio: ModuleType) -> None:
    ran: list[str] = []

    async def child() -> None:
        ran.append("child")

    async def main() -> bool:
        task = aio.create_task(child())
        task.cancel()
        with pytest.raises(aio.CancelledError):
            await task
        return task.cancelled()

    assert aio.run(main()) is True
    assert ran == []


def test_cancel_of_a_done_task_returns_false(aio: ModuleType) -> None:
    async def main() -> bool:
        task = aio.create_task(aio.sleep(0))
        await task
        return bool(task.cancel())

    assert aio.run(main()) is False


def test_cancelling_counts_requests_and_uncancel_takes_one_back(aio: ModuleType) -> None:
    async def main() -> tuple[int, int, int]:
        task = aio.create_task(aio.sleep(1))
        await aio.sleep(0)
        task.cancel()
        task.cancel()
        counts = task.cancelling(), task.uncancel()
        with pytest.raises(aio.CancelledError):
            await task
        return (*counts, task.cancelling())

    assert aio.run(main()) == (2, 1, 1)


def test_the_cancel_message_reaches_the_awaiting_code(aio: ModuleType) -> None:
    async def main() -> tuple[Any, ...]:
        task = aio.create_task(aio.sleep(1))
        await aio.sleep(0)
        task.cancel("stop now")
        try:
            await task
        except aio.CancelledError as exc:
            return exc.args
        return ()

    assert aio.run(main()) == ("stop now",)


def test_a_task_may_catch_cancellation_and_return_normally(aio: ModuleType) -> None:
    async def stubborn() -> str:
        try:
            await aio.sleep(1)
        except aio.CancelledError:
            return "caught"
        return "slept"

    async def main() -> tuple[str, bool]:
        task = aio.create_task(stubborn())
        await aio.sleep(0)
        task.cancel()
        return await task, task.cancelled()

    assert aio.run(main()) == ("caught", False)


def test_gather_returns_results_in_argument_order(aio: ModuleType) -> None:
    async def main() -> list[Any]:
        return list(await aio.gather(aio.sleep(0.02, "slow"), aio.sleep(0.01, "fast")))

    assert aio.run(main()) == ["slow", "fast"]


def test_gather_with_return_exceptions_collects_errors_as_results(aio: ModuleType) -> None:
    async def fail() -> None:
        raise ValueError("boom")

    async def main() -> list[str]:
        results = await aio.gather(fail(), aio.sleep(0, "ok"), return_exceptions=True)
        return [type(r).__name__ if isinstance(r, BaseException) else r for r in results]

    assert aio.run(main()) == ["ValueError", "ok"]


def test_gather_raises_the_first_error_and_leaves_the_others_running(aio: ModuleType) -> None:
    async def fail() -> None:
        raise ValueError("boom")

    async def main() -> tuple[str, bool]:
        slow = aio.create_task(aio.sleep(0.01, "slow"))
        with pytest.raises(ValueError, match="boom"):
            await aio.gather(fail(), slow)
        cancelled = slow.cancelled()
        await slow
        return slow.result(), cancelled

    assert aio.run(main()) == ("slow", False)


def test_cancelling_gather_cancels_its_children(aio: ModuleType) -> None:
    async def main() -> list[bool]:
        children = [aio.create_task(aio.sleep(1)) for _ in range(3)]
        outer = aio.gather(*children)
        await aio.sleep(0)
        outer.cancel()
        with pytest.raises(aio.CancelledError):
            await outer
        return [child.cancelled() for child in children]

    assert aio.run(main()) == [True, True, True]


def test_an_exception_never_retrieved_is_reported_when_the_future_is_collected(
    aio: ModuleType,
) -> None:
    reports: list[str] = []

    async def main() -> None:
        loop = aio.get_running_loop()
        loop.set_exception_handler(lambda loop, context: reports.append(context["message"]))
        fut = loop.create_future()
        fut.set_exception(ValueError("lost"))
        del fut
        gc.collect()

    aio.run(main())
    assert reports == ["Future exception was never retrieved"]


def test_a_pending_task_collected_is_reported_as_destroyed(aio: ModuleType) -> None:
    reports: list[str] = []

    async def main() -> None:
        loop = aio.get_running_loop()
        loop.set_exception_handler(lambda loop, context: reports.append(context["message"]))

        async def forever() -> None:
            await loop.create_future()  # nobody else refers to this future

        aio.create_task(forever())
        await aio.sleep(0)  # task and future now refer only to each other
        gc.collect()

    aio.run(main())
    assert reports == ["Task was destroyed but it is pending!"]


def test_run_cancels_leftover_tasks_and_waits_for_their_cleanup(aio: ModuleType) -> None:
    events: list[str] = []

    async def leftover() -> None:
        try:
            await aio.sleep(10)
        except aio.CancelledError:
            events.append("cancelled")
            await aio.sleep(0)  # cleanup may still await
            events.append("cleaned up")
            raise

    async def main() -> None:
        aio.create_task(leftover())
        await aio.sleep(0)

    aio.run(main())
    assert events == ["cancelled", "cleaned up"]


def test_run_closes_async_generators_left_suspended(aio: ModuleType) -> None:
    events: list[str] = []

    async def numbers() -> Any:
        try:
            yield 1
            yield 2
        finally:
            events.append("generator closed")

    async def main() -> None:
        gen = numbers()
        await gen.__anext__()
        aio.get_running_loop().gen = gen  # keep it alive past main

    aio.run(main())
    assert events == ["generator closed"]


@pytest.mark.parametrize("error", [KeyboardInterrupt, SystemExit])
def test_keyboard_interrupt_and_system_exit_propagate_out_of_run(
    aio: ModuleType, error: type[BaseException]
) -> None:
    async def main() -> None:
        raise error()

    with pytest.raises(error):
        aio.run(main())


def test_run_inside_a_running_loop_raises_runtime_error(aio: ModuleType) -> None:
    async def inner() -> None:
        pass

    async def main() -> None:
        coro = inner()
        try:
            with pytest.raises(RuntimeError, match="cannot be called from a running event loop"):
                aio.run(coro)
        finally:
            coro.close()

    aio.run(main())


def test_the_loop_is_closed_after_run(aio: ModuleType) -> None:
    async def main() -> Any:
        return aio.get_running_loop()

    assert aio.run(main()).is_closed()


class _Answer:
    def __await__(self) -> Generator[None, None, int]:
        yield None  # one bare yield: the task runs it as sleep(0) does
        return 42


@pytest.mark.skipif(sys.version_info < (3, 14), reason="before 3.14 run() takes only coroutines")
def test_run_of_an_awaitable_that_is_not_a_coroutine_returns_its_result(aio: ModuleType) -> None:
    assert aio.run(_Answer()) == 42
