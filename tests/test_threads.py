"""Threads: the executor, to_thread and call_soon_threadsafe, on asyncio and tinyloop alike."""

from __future__ import annotations

import contextvars
import socket
import threading
import time
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
