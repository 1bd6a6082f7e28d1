"""The floor: what the same awaits cost with no event loop at all.

A task's step is, at bottom, ``coroutine.send(None)``: the coroutine runs down its chain of
``await`` to something that yields, and the yield comes back up to whoever called ``send``.
These functions drive the coroutines by hand, in a plain ``for`` loop, with the same shape as the
microbenchmark they stand beside; no loop can do the same work for less. They return seconds.
"""

from __future__ import annotations

import contextlib
import time
import types
from collections.abc import Callable, Coroutine, Generator
from typing import Any

from bench.micro import TREE_BRANCHES


@types.coroutine
def _suspend() -> Generator[None, None, None]:
    yield  # what sleep(0) does at the bottom: a bare yield up to the driver


async def _switches(count: int) -> None:
    for _ in range(count):
        await _suspend()


def _drive(coro: Coroutine[Any, Any, Any], sends: int) -> None:
    send = coro.send
    for _ in range(sends):
        send(None)
    try:
        send(None)
    except StopIteration:
        return
    raise AssertionError("the coroutine did not finish")


def sleep0_switch(n: int) -> float:
    """``n`` resumptions of one coroutine, each through one ``await`` and one bare yield."""
    coro = _switches(n)
    start = time.perf_counter()
    _drive(coro, n)
    return time.perf_counter() - start


def future_ping_pong(n: int) -> float:
    """Two coroutines resumed in turn, ``n`` resumptions in all: the hand-over, minus futures."""
    players = [_switches((n + 1) // 2), _switches(n // 2)]
    sends = [player.send for player in players]
    start = time.perf_counter()
    for i in range(n):
        sends[i % 2](None)
    for player in players:
        with contextlib.suppress(StopIteration):
            player.send(None)
    return time.perf_counter() - start


async def _nothing() -> None:
    return None


def spawn_and_gather(n: int) -> float:
    """``n`` coroutines created and run to the end by one ``send`` each: a task, minus the task."""
    start = time.perf_counter()
    for coro in [_nothing() for _ in range(n)]:
        # try/except, not contextlib.suppress: entering a context manager per coroutine would
        # cost more than the send it guards, and the floor must stay a floor.
        try:  # noqa: SIM105
            coro.send(None)
        except StopIteration:
            pass
    return time.perf_counter() - start


async def _node(level: int) -> None:
    if level:
        for child in [_node(level - 1) for _ in range(TREE_BRANCHES)]:
            await child


def gather_tree(depth: int) -> float:
    """The same tree of coroutines, each child awaited in turn: the tree, minus tasks and gather."""
    coro = _node(depth)
    start = time.perf_counter()
    with contextlib.suppress(StopIteration):
        coro.send(None)
    return time.perf_counter() - start


FLOORS: dict[str, Callable[[int], float]] = {
    "sleep0_switch": sleep0_switch,
    "future_ping_pong": future_ping_pong,
    "spawn_and_gather": spawn_and_gather,
    "gather_tree": gather_tree,
}
"""The microbenchmarks that have a floor, by name; the others (timers, callbacks, sockets) do
work that no coroutine does, so a floor there would compare unlike things."""
