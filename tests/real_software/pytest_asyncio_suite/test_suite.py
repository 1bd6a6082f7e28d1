"""Seven tests, each run on both loops by conftest.py's hook."""

from __future__ import annotations

import asyncio

import pytest


async def test_gather_collects_results_in_order() -> None:
    async def square(n: int) -> int:
        await asyncio.sleep(0)
        return n * n

    assert await asyncio.gather(*(square(n) for n in range(5))) == [0, 1, 4, 9, 16]


async def test_timeout_cancels_a_slow_sleep() -> None:
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await asyncio.sleep(10)


async def test_a_task_group_runs_a_thread_and_a_task() -> None:
    async with asyncio.TaskGroup() as tg:
        thread = tg.create_task(asyncio.to_thread(sum, [1, 2, 3]))
        task = tg.create_task(asyncio.sleep(0, result="slept"))
    assert (thread.result(), task.result()) == (6, "slept")


async def test_streams_echo_through_a_fixture_server(echo_server: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", echo_server)
    writer.write(b"hello\n")
    assert await reader.readline() == b"hello\n"
    writer.close()
    await writer.wait_closed()


async def test_the_running_loop_made_the_current_task() -> None:
    task = asyncio.current_task()
    assert task is not None and task.get_loop() is asyncio.get_running_loop()


async def test_a_queue_hands_items_over_in_order() -> None:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(3):
        queue.put_nowait(n)
    assert [await queue.get() for _ in range(3)] == [0, 1, 2]


async def test_each_run_is_on_the_loop_its_id_names(request: pytest.FixtureRequest) -> None:
    on_tinyloop = type(asyncio.get_running_loop()).__name__ == "AsyncioEventLoop"
    assert on_tinyloop == request.node.name.endswith("[tinyloop]")
