"""Threads: the executor, to_thread and call_soon_threadsafe, on asyncio and tinyloop alike."""

from __future__ import annotations

import contextvars
import socket
import threading
import time
from collections.abc import Callable
from types import ModuleType

import pytest


def test_to_thread_returns_the_function_result(aio: ModuleType) -> None:
    async def main() -> int:
        return int(await aio.to_thread(sum, [1, 2, 3]))

    assert aio.run(main()) == 6


def test_to_thread_runs_in_a_worker_thread_named_like_asyncio_s(aio: ModuleType) -> None:
    async def main() -> tuple[bool, str]:
        name = await aio.to_thread(lambda: threading.current_thread().name)
        return threading.current_thread().name != name, name.split("_")[0]

    assert aio.run(main()) == (True, "asyncio")


def test_to_thread_sees_the_callers_context_variables(aio: ModuleType) -> None:
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")

    async def main() -> str:
        var.set("from the task")
        return str(await aio.to_thread(var.get))

    assert aio.run(main()) == "from the task"


def test_an_exception_in_the_thread_is_raised_at_the_await(aio: ModuleType) -> None:
    def fail() -> None:
        raise LookupError("in the thread")

    async def main() -> None:
        await aio.get_running_loop().run_in_executor(None, fail)

    with pytest.raises(LookupError, match="in the thread"):
        aio.run(main())


def test_run_leaves_no_executor_thread_behind(aio: ModuleType) -> None:
    before = threading.active_count()

    async def main() -> None:
        await aio.to_thread(time.sleep, 0.01)

    aio.run(main())
    assert threading.active_count() == before


def test_call_soon_threadsafe_wakes_a_loop_blocked_in_select(aio: ModuleType) -> None:
    async def main() -> float:
        loop = aio.get_running_loop()
        woken = loop.create_future()
        start = loop.time()
        # No timer and nothing ready: the loop blocks in select() with no timeout at all.
        timer = threading.Timer(0.05, loop.call_soon_threadsafe, (woken.set_result, "woken"))
        timer.start()
        try:
            await woken
        finally:
            timer.join()
        return float(loop.time() - start)

    assert aio.run(main()) < 5


def test_getaddrinfo_resolves_in_a_thread_without_blocking_the_loop(aio: ModuleType) -> None:
    async def main() -> list[tuple[object, ...]]:
        loop = aio.get_running_loop()
        return list(await loop.getaddrinfo("127.0.0.1", 80, type=socket.SOCK_STREAM))

    infos = aio.run(main())
    assert infos[0][4] == ("127.0.0.1", 80)


def test_a_non_callable_given_to_run_in_executor_is_a_type_error(aio: ModuleType) -> None:
    # asyncio checks only in debug mode; tinyloop always does.
    async def main() -> None:
        aio.get_running_loop().run_in_executor(None, 42)

    with pytest.raises(TypeError, match="callable"):
        aio.run(main(), debug=True)


def _from_another_thread(call: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=call)
    thread.start()
    return thread


def test_run_coroutine_threadsafe_hands_the_result_to_the_calling_thread(aio: ModuleType) -> None:
    import concurrent.futures

    seen: list[object] = []

    async def add(a: int, b: int) -> int:
        await aio.sleep(0.01)
        return a + b

    def in_a_thread(loop: object) -> None:
        future = aio.run_coroutine_threadsafe(add(2, 3), loop)
        seen.append(isinstance(future, concurrent.futures.Future))
        seen.append(future.result(timeout=5))

    async def main() -> None:
        loop = aio.get_running_loop()
        thread = _from_another_thread(lambda: in_a_thread(loop))
        await aio.to_thread(thread.join)

    aio.run(main())
    assert seen == [True, 5]


def test_run_coroutine_threadsafe_raises_the_coroutines_exception_in_the_caller(
    aio: ModuleType,
) -> None:
    errors: list[BaseException] = []

    async def fail() -> None:
        raise LookupError("on the loop")

    def in_a_thread(loop: object) -> None:
        try:
            aio.run_coroutine_threadsafe(fail(), loop).result(timeout=5)
        except LookupError as exc:
            errors.append(exc)

    async def main() -> None:
        loop = aio.get_running_loop()
        thread = _from_another_thread(lambda: in_a_thread(loop))
        await aio.to_thread(thread.join)

    aio.run(main())
    assert [str(exc) for exc in errors] == ["on the loop"]


def test_cancelling_run_coroutine_threadsafes_future_cancels_the_task(aio: ModuleType) -> None:
    # Two threads append to two lists: the canceller's cancel() and the task's CancelledError
    # race, so neither list depends on the other's timing.
    cancel_returned: list[bool] = []
    task_saw: list[str] = []
    started = threading.Event()

    async def forever() -> None:
        started.set()
        try:
            await aio.sleep(3600)
        except aio.CancelledError:
            task_saw.append("CancelledError")
            raise

    def in_a_thread(loop: object) -> None:
        future = aio.run_coroutine_threadsafe(forever(), loop)
        started.wait(timeout=5)
        cancel_returned.append(future.cancel())

    async def main() -> None:
        loop = aio.get_running_loop()
        thread = _from_another_thread(lambda: in_a_thread(loop))
        await aio.to_thread(thread.join)
        for _ in range(500):  # at most 5 s
            if task_saw:
                break
            await aio.sleep(0.01)

    aio.run(main())
    assert cancel_returned == [True]
    assert task_saw == ["CancelledError"]


def test_run_coroutine_threadsafe_refuses_what_is_not_a_coroutine(aio: ModuleType) -> None:
    async def main() -> None:
        aio.run_coroutine_threadsafe(lambda: None, aio.get_running_loop())

    with pytest.raises(TypeError, match="A coroutine object is required"):
        aio.run(main())
