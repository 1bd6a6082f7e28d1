"""The scaling workloads: the same operation at sizes from a thousand to a million, to see how
the cost of one operation grows with the number of tasks, timers or connections.

Time and memory are measured in separate child processes: ``tracemalloc`` slows every
allocation down, so it never runs while the clock does. Memory is what ``tracemalloc`` counts,
the bytes allocated through Python's allocators and still held (objects, the heap's list, and
uvloop's libuv handles, which it allocates with ``PyMem_RawMalloc``); it leaves out what the
process keeps but does not use, which the resident set size (RSS) would include.
"""

from __future__ import annotations

import time
import tracemalloc
from types import ModuleType

SLEEP_DELAY = 0.001
"""The sleeping tasks sleep 1 ms: less than the loop needs to start a thousand of them, so the
time measured is the loop's work, not the sleep."""


async def sleeping_tasks(aio: ModuleType, n: int) -> float:
    """``n`` tasks spawned, each sleeping once (its own timer) and then finishing: per task."""
    loop = aio.get_running_loop()
    done = loop.create_future()
    remaining = n
    sleep = aio.sleep
    create_task = aio.create_task

    async def sleeper() -> None:
        nonlocal remaining
        await sleep(SLEEP_DELAY)
        remaining -= 1
        if not remaining:
            done.set_result(None)

    start = time.perf_counter()
    for _ in range(n):
        create_task(sleeper())
    await done
    elapsed = time.perf_counter() - start
    await sleep(0)  # let the last task finish its step
    return elapsed


async def sleeping_tasks_memory(aio: ModuleType, n: int) -> float:
    """The bytes each of ``n`` sleeping tasks holds (task, coroutine, future, timer, handle),
    counted by ``tracemalloc`` while all of them are asleep; then they are cancelled."""
    sleep = aio.sleep
    tasks = []
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tasks = [aio.create_task(sleep(3600)) for _ in range(n)]
        await sleep(0)  # every task has now run its first step and is asleep on its timer
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        for task in tasks:
            task.cancel()
        await aio.gather(*tasks, return_exceptions=True)
    return held / n
