"""tinyloop's loop standing in under asyncio itself, as uvloop does (``loop_factory``)."""

from __future__ import annotations

import asyncio
import sys

import pytest

import tinyloop


def run_on_tinyloop(coro: object) -> object:
    with asyncio.Runner(loop_factory=tinyloop.new_event_loop) as runner:
        return runner.run(coro)


def test_asyncio_sees_tinyloop_as_the_running_loop() -> None:
    async def main() -> str:
        return type(asyncio.get_running_loop()).__name__

    assert run_on_tinyloop(main()) == "AsyncioEventLoop"


def test_under_asyncio_the_loop_makes_asyncios_own_tasks_and_futures() -> None:
    async def main() -> tuple[bool, bool]:
        future = asyncio.get_running_loop().create_future()
        future.cancel()
        return isinstance(asyncio.current_task(), asyncio.Task), isinstance(future, asyncio.Future)

    assert run_on_tinyloop(main()) == (True, True)


def test_tinyloops_own_runner_makes_tinyloop_tasks() -> None:
    async def main() -> tuple[bool, bool]:
        future = tinyloop.get_running_loop().create_future()
        future.cancel()
        return isinstance(tinyloop.current_task(), tinyloop.Task), type(future) is tinyloop.Future

    assert tinyloop.run(main()) == (True, True)


def test_asyncio_lock_and_queue_work_on_tinyloop() -> None:
    async def main() -> list[int]:
        lock, queue = asyncio.Lock(), asyncio.Queue()

        async def producer(n: int) -> None:
            async with lock:
                await queue.put(n)

        await asyncio.gather(*(producer(n) for n in range(3)))
        return [queue.get_nowait() for _ in range(3)]

    assert run_on_tinyloop(main()) == [0, 1, 2]


def test_asyncio_timeout_expires_on_tinyloop() -> None:
    async def main() -> str:
        try:
            async with asyncio.timeout(0.01):
                await asyncio.sleep(1)
        except TimeoutError:
            return "timed out"
        return "slept"

    assert run_on_tinyloop(main()) == "timed out"


def test_asyncio_task_group_collects_errors_on_tinyloop() -> None:
    async def fail() -> None:
        raise ValueError("boom")

    async def main() -> list[str]:
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(asyncio.sleep(1))
                group.create_task(fail())
        except BaseException as exc:
            return [type(e).__name__ for e in exc.exceptions]
        return []

    assert run_on_tinyloop(main()) == ["ValueError"]


def test_the_runner_cancels_leftover_tasks_on_tinyloop() -> None:
    cleaned: list[str] = []

    async def leftover() -> None:
        try:
            await asyncio.sleep(10)
        finally:
            cleaned.append("leftover")

    async def main() -> None:
        task = asyncio.create_task(leftover())
        await asyncio.sleep(0)
        assert not task.done()  # still sleeping when main returns

    run_on_tinyloop(main())
    assert cleaned == ["leftover"]


@pytest.mark.skipif(sys.version_info < (3, 12), reason="asyncio.run(loop_factory=) is new in 3.12")
def test_asyncio_run_accepts_tinyloop_as_loop_factory() -> None:
    async def main() -> str:
        return type(asyncio.get_running_loop()).__name__

    assert asyncio.run(main(), loop_factory=tinyloop.new_event_loop) == "AsyncioEventLoop"


# What asyncio exports and tinyloop does not have: the public names are in "Not there" on "Run
# any program on tinyloop" (docs/tinyloop/run.md). Anything else missing fails the test below.
NOT_THERE = {
    # asyncio's registry of tasks, for other Task classes: tinyloop's Task keeps its own
    "_register_task", "_unregister_task", "_enter_task", "_leave_task",
    # the child watchers of 3.11 to 3.13: tinyloop watches a child through a pidfd
    "get_child_watcher", "set_child_watcher", "AbstractChildWatcher", "SafeChildWatcher",
    "FastChildWatcher", "PidfdChildWatcher", "MultiLoopChildWatcher", "ThreadedChildWatcher",
    # the call graph of 3.14
    "capture_call_graph", "format_call_graph", "print_call_graph", "FrameCallGraphEntry",
    "FutureCallGraph",
}  # fmt: skip


def test_tinyloop_has_every_name_asyncio_exports_but_those_the_site_lists() -> None:
    missing = sorted(name for name in asyncio.__all__ if not hasattr(tinyloop, name))
    assert [name for name in missing if name not in NOT_THERE] == []


@pytest.mark.skipif(sys.version_info < (3, 14), reason="the policy classes warn from 3.14")
@pytest.mark.parametrize("name", ["AbstractEventLoopPolicy", "DefaultEventLoopPolicy"])
def test_a_policy_class_warns_when_looked_up_as_asyncios_does(name: str) -> None:
    with pytest.warns(DeprecationWarning, match=f"'asyncio.{name}' is deprecated"):
        getattr(tinyloop, name)


def test_a_loop_refused_inside_a_running_loop_leaves_that_loop_registered() -> None:
    async def main() -> bool:
        outer = asyncio.get_running_loop()
        inner = tinyloop.new_event_loop()
        inner.call_soon(inner.stop)  # were it not refused, it would stop after one turn
        try:
            with pytest.raises(RuntimeError, match="another loop is running"):
                inner.run_forever()
        finally:
            inner.close()
        return asyncio.get_running_loop() is outer

    assert asyncio.run(main()) is True
