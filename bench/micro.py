"""The microbenchmarks that need no socket: coroutines that do ``n`` operations and time them.

Each takes ``aio`` (the module the contender takes asyncio's names from) and ``n``, runs inside
the contender's running loop, and returns the seconds the ``n`` operations took, measured with
``time.perf_counter`` around the work only (creating and closing the loop is not counted). Each
leaves nothing behind: every task finished, every timer run or cancelled.
"""

from __future__ import annotations

import random
import time
from types import ModuleType
from typing import Any

SEED = 6
"""Every random choice is seeded: each contender and each round sees the same sequence."""
TREE_BRANCHES = 6
"""pyperformance's async_tree: 6 branches per node (its depth is the benchmark's ``n``)."""
SLEEPS_PER_SLEEPER = 3
SLEEPER_MAX_DELAY = 0.001
"""The random sleepers sleep for real, 0 to 1 ms: far less than the loop needs to go through
thousands of tasks, so the loop never waits with nothing to do and the time measured is the
loop's work (timers in a heap, wake-ups, steps), not the sleeping."""


async def sleep0_switch(aio: ModuleType, n: int) -> float:
    """One task awaits ``sleep(0)`` ``n`` times: each is a full turn of the loop and a step."""
    sleep = aio.sleep
    start = time.perf_counter()
    for _ in range(n):
        await sleep(0)
    return time.perf_counter() - start


async def call_soon_chain(aio: ModuleType, n: int) -> float:
    """``n`` callbacks, each scheduling the next with ``call_soon``: one callback per turn."""
    loop = aio.get_running_loop()
    done = loop.create_future()
    remaining = n

    def step() -> None:
        nonlocal remaining
        remaining -= 1
        if remaining:
            loop.call_soon(step)
        else:
            done.set_result(None)

    start = time.perf_counter()
    loop.call_soon(step)
    await done
    return time.perf_counter() - start


async def timers_due(aio: ModuleType, n: int) -> float:
    """``n`` timers with deadlines already past, in random order: pushed, popped, run."""
    loop = aio.get_running_loop()
    done = loop.create_future()
    rng = random.Random(SEED)
    past = loop.time() - 1.0
    deadlines = [past - rng.random() for _ in range(n)]
    remaining = n

    def fire() -> None:
        nonlocal remaining
        remaining -= 1
        if not remaining:
            done.set_result(None)

    start = time.perf_counter()
    for when in deadlines:
        loop.call_at(when, fire)
    await done
    return time.perf_counter() - start


async def timer_cancel(aio: ModuleType, n: int) -> float:
    """``n`` timers an hour away, each cancelled; then two turns, so the loop drops them."""
    loop = aio.get_running_loop()
    rng = random.Random(SEED)
    delays = [3600.0 + rng.random() for _ in range(n)]

    def never() -> None:
        raise AssertionError("a cancelled timer ran")

    start = time.perf_counter()
    timers = [loop.call_later(delay, never) for delay in delays]
    for timer in timers:
        timer.cancel()
    await aio.sleep(0)
    await aio.sleep(0)
    return time.perf_counter() - start


async def future_ping_pong(aio: ModuleType, n: int) -> float:
    """Two tasks hand a ball back and forth through futures: ``n`` hand-overs in all."""
    loop = aio.get_running_loop()
    boxes: list[Any] = [loop.create_future(), loop.create_future()]

    async def player(me: int, turns: int) -> None:
        other = 1 - me
        for _ in range(turns):
            await boxes[me]
            boxes[me] = loop.create_future()
            boxes[other].set_result(None)

    players = [aio.create_task(player(0, (n + 1) // 2)), aio.create_task(player(1, n // 2))]
    await aio.sleep(0)  # both are now waiting for the ball
    start = time.perf_counter()
    boxes[0].set_result(None)
    await aio.gather(*players)
    return time.perf_counter() - start


async def _nothing() -> None:
    return None


async def spawn_and_gather(aio: ModuleType, n: int) -> float:
    """``n`` tasks created with ``create_task`` and awaited with one ``gather``."""
    create_task = aio.create_task
    start = time.perf_counter()
    tasks = [create_task(_nothing()) for _ in range(n)]
    await aio.gather(*tasks)
    return time.perf_counter() - start


async def random_sleepers(aio: ModuleType, n: int) -> float:
    """``n`` tasks, each sleeping ``SLEEPS_PER_SLEEPER`` times for 0 to 1 ms (seeded)."""
    rng = random.Random(SEED)
    plans = [
        [rng.random() * SLEEPER_MAX_DELAY for _ in range(SLEEPS_PER_SLEEPER)] for _ in range(n)
    ]
    sleep = aio.sleep

    async def sleeper(delays: list[float]) -> None:
        for delay in delays:
            await sleep(delay)

    start = time.perf_counter()
    await aio.gather(*[sleeper(plan) for plan in plans])
    return time.perf_counter() - start


def sleeper_operations(n: int) -> int:
    """The operations of ``random_sleepers(n)``: one per sleep."""
    return n * SLEEPS_PER_SLEEPER


async def gather_tree(aio: ModuleType, depth: int) -> float:
    """pyperformance's async_tree ("none" variant): a tree of ``gather`` calls, ``depth``
    levels of ``TREE_BRANCHES`` children each; the leaves do nothing."""
    gather = aio.gather

    async def node(level: int) -> None:
        if level:
            await gather(*[node(level - 1) for _ in range(TREE_BRANCHES)])

    start = time.perf_counter()
    await node(depth)
    return time.perf_counter() - start


def tree_nodes(depth: int) -> int:
    """The coroutines in a tree of ``depth`` levels (the root included): the operations."""
    return sum(TREE_BRANCHES**level for level in range(depth + 1))
