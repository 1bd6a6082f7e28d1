"""Locks, queues, timeouts, waiting and TaskGroup: written once, run on asyncio and tinyloop."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import pytest


def test_lock_hands_over_in_first_come_first_served_order(aio: ModuleType) -> None:
    order: list[int] = []

    async def worker(lock: Any, n: int) -> None:
        async with lock:
            order.append(n)
            await aio.sleep(0)

    async def main() -> None:
        lock = aio.Lock()
        await aio.gather(*(worker(lock, n) for n in range(4)))

    aio.run(main())
    assert order == [0, 1, 2, 3]


def test_a_cancelled_lock_waiter_does_not_swallow_the_wake_up(aio: ModuleType) -> None:
    async def main() -> bool:
        lock = aio.Lock()
        await lock.acquire()
        first = aio.create_task(lock.acquire())
        second = aio.create_task(lock.acquire())
        await aio.sleep(0)
        lock.release()  # hands the lock to `first`...
        first.cancel()  # ...which is cancelled before it runs
        await aio.wait_for(second, 1)
        return lock.locked()

    assert aio.run(main()) is True


def test_releasing_an_unlocked_lock_is_a_runtime_error(aio: ModuleType) -> None:
    async def main() -> None:
        aio.Lock().release()

    with pytest.raises(RuntimeError, match="Lock is not acquired"):
        aio.run(main())


def test_event_wakes_every_waiter(aio: ModuleType) -> None:
    async def main() -> list[bool]:
        event = aio.Event()
        waiters = [aio.create_task(event.wait()) for _ in range(3)]
        await aio.sleep(0)
        event.set()
        return list(await aio.gather(*waiters))

    assert aio.run(main()) == [True, True, True]


def test_semaphore_lets_in_at_most_its_value(aio: ModuleType) -> None:
    inside, most = 0, 0

    async def worker(sem: Any) -> None:
        nonlocal inside, most
        async with sem:
            inside += 1
            most = max(most, inside)
            await aio.sleep(0.001)
            inside -= 1

    async def main() -> None:
        sem = aio.Semaphore(2)
        await aio.gather(*(worker(sem) for _ in range(6)))

    aio.run(main())
    assert most == 2


def test_a_negative_semaphore_is_a_value_error(aio: ModuleType) -> None:
    with pytest.raises(ValueError, match="Semaphore initial value must be >= 0"):
        aio.Semaphore(-1)


def test_bounded_semaphore_refuses_an_extra_release(aio: ModuleType) -> None:
    async def main() -> None:
        aio.BoundedSemaphore(1).release()

    with pytest.raises(ValueError, match="released too many times"):
        aio.run(main())


def test_queue_get_waits_for_a_put(aio: ModuleType) -> None:
    async def main() -> str:
        queue = aio.Queue()
        getter = aio.create_task(queue.get())
        await aio.sleep(0)
        queue.put_nowait("item")
        return str(await getter)

    assert aio.run(main()) == "item"


def test_a_full_queue_makes_put_wait(aio: ModuleType) -> None:
    async def main() -> tuple[bool, list[int]]:
        queue = aio.Queue(maxsize=1)
        await queue.put(1)
        putter = aio.create_task(queue.put(2))
        await aio.sleep(0)
        waiting = not putter.done()
        items = [await queue.get()]
        await putter
        items.append(queue.get_nowait())
        return waiting, items

    assert aio.run(main()) == (True, [1, 2])


def test_queue_nowait_methods_raise_asyncios_empty_and_full(aio: ModuleType) -> None:
    import asyncio

    async def main() -> None:
        queue = aio.Queue(maxsize=1)
        with pytest.raises(asyncio.QueueEmpty):
            queue.get_nowait()
        queue.put_nowait(1)
        with pytest.raises(asyncio.QueueFull):
            queue.put_nowait(2)

    aio.run(main())


def test_queue_join_waits_for_every_task_done(aio: ModuleType) -> None:
    done: list[int] = []

    async def consumer(queue: Any) -> None:
        while True:
            item = await queue.get()
            await aio.sleep(0)
            done.append(item)
            queue.task_done()

    async def main() -> None:
        queue = aio.Queue()
        for n in range(3):
            queue.put_nowait(n)
        worker = aio.create_task(consumer(queue))
        await queue.join()
        worker.cancel()

    aio.run(main())
    assert done == [0, 1, 2]


def test_priority_and_lifo_queues_order_their_items(aio: ModuleType) -> None:
    async def main() -> tuple[list[int], list[int]]:
        prio, lifo = aio.PriorityQueue(), aio.LifoQueue()
        for n in (3, 1, 2):
            prio.put_nowait(n)
            lifo.put_nowait(n)
        return [prio.get_nowait() for _ in range(3)], [lifo.get_nowait() for _ in range(3)]

    assert aio.run(main()) == ([1, 2, 3], [2, 1, 3])


def test_wait_for_cancels_the_awaitable_and_raises_timeout_error(aio: ModuleType) -> None:
    async def main() -> bool:
        task = aio.create_task(aio.sleep(1))
        with pytest.raises(aio.TimeoutError):
            await aio.wait_for(task, 0.01)
        return task.cancelled()

    assert aio.run(main()) is True


def test_wait_for_returns_the_result_in_time(aio: ModuleType) -> None:
    async def main() -> str:
        return str(await aio.wait_for(aio.sleep(0.001, "in time"), 1))

    assert aio.run(main()) == "in time"


def test_timeout_turns_its_own_cancellation_into_timeout_error(aio: ModuleType) -> None:
    async def main() -> tuple[bool, int]:
        with pytest.raises(TimeoutError):
            async with aio.timeout(0.01) as scope:
                await aio.sleep(1)
        return scope.expired(), aio.current_task().cancelling()

    assert aio.run(main()) == (True, 0)


def test_a_timeout_that_does_not_expire_changes_nothing(aio: ModuleType) -> None:
    async def main() -> tuple[str, bool]:
        async with aio.timeout(1) as scope:
            result = await aio.sleep(0, "fine")
        return result, scope.expired()

    assert aio.run(main()) == ("fine", False)


def test_the_inner_of_nested_timeouts_expires_first(aio: ModuleType) -> None:
    async def main() -> tuple[bool, bool]:
        async with aio.timeout(1) as outer:
            with pytest.raises(TimeoutError):
                async with aio.timeout(0.01) as inner:
                    await aio.sleep(1)
        return inner.expired(), outer.expired()

    assert aio.run(main()) == (True, False)


def test_a_rescheduled_timeout_expires_at_its_new_deadline(aio: ModuleType) -> None:
    async def main() -> bool:
        loop = aio.get_running_loop()
        with pytest.raises(TimeoutError):
            async with aio.timeout(None) as scope:
                scope.reschedule(loop.time() + 0.01)
                await aio.sleep(1)
        return scope.expired()

    assert aio.run(main()) is True


def test_timeout_at_takes_an_absolute_deadline(aio: ModuleType) -> None:
    async def main() -> float:
        loop = aio.get_running_loop()
        when = loop.time() + 0.01
        with pytest.raises(TimeoutError):
            async with aio.timeout_at(when) as scope:
                await aio.sleep(1)
        return float(scope.when() - when)

    assert aio.run(main()) == 0.0


def test_shield_keeps_the_inner_task_running_when_the_outer_is_cancelled(aio: ModuleType) -> None:
    async def main() -> tuple[bool, str]:
        inner = aio.create_task(aio.sleep(0.01, "inner finished"))
        outer = aio.shield(inner)
        outer.cancel()
        with pytest.raises(aio.CancelledError):
            await outer
        return inner.cancelled(), str(await inner)

    assert aio.run(main()) == (False, "inner finished")


def test_wait_first_completed_returns_done_and_pending_sets(aio: ModuleType) -> None:
    async def main() -> tuple[list[str], int]:
        fast = aio.create_task(aio.sleep(0.001, "fast"))
        slow = aio.create_task(aio.sleep(1, "slow"))
        done, pending = await aio.wait({fast, slow}, return_when=aio.FIRST_COMPLETED)
        slow.cancel()
        return [t.result() for t in done], len(pending)

    assert aio.run(main()) == (["fast"], 1)


def test_wait_first_exception_stops_at_the_first_failure(aio: ModuleType) -> None:
    async def fail() -> None:
        raise ValueError("boom")

    async def main() -> tuple[int, int]:
        failing = aio.create_task(fail())
        slow = aio.create_task(aio.sleep(1))
        done, pending = await aio.wait([failing, slow], return_when=aio.FIRST_EXCEPTION)
        slow.cancel()
        failing.exception()
        return len(done), len(pending)

    assert aio.run(main()) == (1, 1)


def test_wait_with_a_timeout_returns_what_is_still_pending(aio: ModuleType) -> None:
    async def main() -> int:
        slow = aio.create_task(aio.sleep(1))
        _, pending = await aio.wait([slow], timeout=0.01)
        slow.cancel()
        return len(pending)

    assert aio.run(main()) == 1


@pytest.mark.parametrize(
    ("argument", "error"),
    [("empty", ValueError), ("coroutine", TypeError), ("bad return_when", ValueError)],
)
def test_wait_rejects_bad_arguments(aio: ModuleType, argument: str, error: type) -> None:

    async def main() -> None:
        task = aio.create_task(aio.sleep(0))
        try:
            if argument == "empty":
                await aio.wait(set())
            elif argument == "coroutine":
                coro = aio.sleep(0)
                try:
                    await aio.wait([coro])
                finally:
                    coro.close()
            else:
                await aio.wait([task], return_when="SOMETIME")
        finally:
            await task

    with pytest.raises(error):
        aio.run(main())


def test_as_completed_yields_results_in_finishing_order(aio: ModuleType) -> None:
    async def main() -> list[str]:
        aws = [aio.sleep(0.02, "slow"), aio.sleep(0.001, "fast")]
        return [await next_done for next_done in aio.as_completed(aws)]

    assert aio.run(main()) == ["fast", "slow"]


def test_task_group_waits_for_all_its_tasks(aio: ModuleType) -> None:
    async def main() -> list[str]:
        async with aio.TaskGroup() as group:
            tasks = [group.create_task(aio.sleep(d, f"{d}")) for d in (0.002, 0.001)]
        return [t.result() for t in tasks]

    assert aio.run(main()) == ["0.002", "0.001"]


def test_task_group_cancels_siblings_and_raises_an_exception_group(aio: ModuleType) -> None:
    async def fail() -> None:
        await aio.sleep(0.001)
        raise ValueError("boom")

    async def main() -> tuple[list[str], bool]:
        sibling = None
        try:
            async with aio.TaskGroup() as group:
                sibling = group.create_task(aio.sleep(1))
                group.create_task(fail())
        except BaseException as exc:
            errors = [type(e).__name__ for e in exc.exceptions]  # type: ignore[attr-defined]
            return errors, sibling is not None and sibling.cancelled()
        return [], False

    assert aio.run(main()) == (["ValueError"], True)


def test_task_group_refuses_new_tasks_once_finished(aio: ModuleType) -> None:
    async def main() -> None:
        async with aio.TaskGroup() as group:
            pass
        coro = aio.sleep(0)
        try:
            group.create_task(coro)
        finally:
            coro.close()

    with pytest.raises(RuntimeError, match="is finished"):
        aio.run(main())


async def _fail_when(event: Any) -> None:
    await event.wait()
    raise ValueError("boom")


def test_task_group_takes_back_the_cancellation_it_asked_for_while_waiting(
    aio: ModuleType,
) -> None:
    # A task fails while the block's task waits in __aexit__: the group cancels that task, and
    # from 3.13 takes the cancellation back afterwards; 3.11 and 3.12 leave it counted.
    async def main() -> int:
        failing = aio.Event()
        try:
            async with aio.TaskGroup() as group:
                group.create_task(_fail_when(failing))
                aio.get_running_loop().call_soon(failing.set)
        except* ValueError:
            pass
        return int(aio.current_task().cancelling())

    assert aio.run(main()) == (0 if sys.version_info >= (3, 13) else 1)


def test_task_group_errors_go_up_with_an_outside_cancellation_still_owed(
    aio: ModuleType,
) -> None:
    # A task fails, then the block's task is cancelled from outside while the group waits.
    async def block(failing: Any) -> None:
        async with aio.TaskGroup() as group:
            group.create_task(_fail_when(failing))
            group.create_task(aio.sleep(10))

    async def main() -> tuple[str, int]:
        failing = aio.Event()
        task = aio.create_task(block(failing))
        await aio.sleep(0)
        failing.set()
        await aio.sleep(0)
        task.cancel()
        try:
            await task
        except BaseException as exc:
            return type(exc).__name__, task.cancelling()
        return "nothing", task.cancelling()

    assert aio.run(main()) == ("ExceptionGroup", 1 if sys.version_info >= (3, 13) else 2)


needs_task_group_cancel = pytest.mark.skipif(
    sys.version_info < (3, 15), reason="TaskGroup.cancel() is new in 3.15"
)


@needs_task_group_cancel
def test_task_group_cancel_ends_the_block_without_cancelled_error(aio: ModuleType) -> None:
    async def main() -> tuple[bool, bool, int]:
        reached_the_end = False
        async with aio.TaskGroup() as group:
            child = group.create_task(aio.sleep(10))
            group.cancel()
            await aio.sleep(1)
            reached_the_end = True
        return reached_the_end, child.cancelled(), aio.current_task().cancelling()

    assert aio.run(main()) == (False, True, 0)


@needs_task_group_cancel
def test_task_group_cancelled_before_entry_is_cancelled_on_entry(aio: ModuleType) -> None:
    async def main() -> tuple[bool, int]:
        group = aio.TaskGroup()
        group.cancel()
        reached_the_end = False
        async with group:
            await aio.sleep(1)
            reached_the_end = True
        return reached_the_end, aio.current_task().cancelling()

    assert aio.run(main()) == (False, 0)


@needs_task_group_cancel
def test_task_group_cancelled_by_its_task_while_exiting_stops_the_rest(aio: ModuleType) -> None:
    async def main() -> tuple[bool, int]:
        async with aio.TaskGroup() as group:
            sleeper = group.create_task(aio.sleep(10))
            group.create_task(aio.sleep(0)).add_done_callback(lambda _: group.cancel())
        group.cancel()  # after the group has ended: nothing happens
        return sleeper.cancelled(), aio.current_task().cancelling()

    assert aio.run(main()) == (True, 0)


def test_an_async_generator_closed_inside_a_task_group(aio: ModuleType) -> None:
    # aclose() throws GeneratorExit into the block; from 3.15 the group lets it out alone.
    async def numbers() -> Any:
        async with aio.TaskGroup():
            yield 1

    async def main() -> str:
        generator = numbers()
        await generator.__anext__()
        try:
            await generator.aclose()
        except BaseException as exc:
            return type(exc).__name__
        return "closed"

    assert aio.run(main()) == ("closed" if sys.version_info >= (3, 15) else "BaseExceptionGroup")
