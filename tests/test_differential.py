"""Differential tests: random programs run on asyncio and on tinyloop must do the same things
in the same order and end in the same states.

Both loops run on a virtual clock (the loop jumps to the next timer when idle), so the order of
events depends only on the loops' rules, never on how busy the machine is. Hypothesis is
derandomized: CI runs the same examples every time.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinyloop
from tinyloop.clock import VirtualTimeEventLoop, _JumpingSelector

FUTURES = 2


class VirtualTimeAsyncioLoop(asyncio.SelectorEventLoop):  # type: ignore[misc,valid-type]
    """asyncio's own loop on the same virtual clock as tinyloop's VirtualTimeEventLoop."""

    def __init__(self) -> None:
        self._now = 0.0
        super().__init__(selector=_JumpingSelector(selectors.DefaultSelector(), self))  # type: ignore[arg-type]

    def time(self) -> float:
        return self._now


@dataclass(frozen=True)
class Op:
    kind: str  # sleep, await_task, set_future, await_future, cancel, raise, shield_cancel
    arg: int = 0


ops = st.one_of(
    st.builds(Op, st.just("sleep"), st.integers(0, 3)),
    st.builds(Op, st.just("await_task"), st.integers(0, 3)),
    st.builds(Op, st.just("set_future"), st.integers(0, FUTURES - 1)),
    st.builds(Op, st.just("await_future"), st.integers(0, FUTURES - 1)),
    st.builds(Op, st.just("cancel"), st.integers(0, 3)),
    st.builds(Op, st.just("raise")),
    st.builds(Op, st.just("catch_cancel")),
)
programs = st.lists(st.lists(ops, max_size=6), min_size=1, max_size=4)


def run_program(aio: ModuleType, loop_factory: Callable[[], Any], program: list[list[Op]]) -> Any:
    """Run ``program`` (one list of ops per task) and return its event trace and final states."""
    trace: list[tuple[Any, ...]] = []

    async def worker(i: int, body: list[Op], tasks: list[Any], futures: list[Any]) -> str:
        catching = False
        for n, op in enumerate(body):
            try:
                await perform(i, op, tasks, futures)
                trace.append((i, n, op.kind, "ok"))
            except aio.CancelledError:
                trace.append((i, n, op.kind, "cancelled"))
                if not catching:
                    raise
            except ValueError as exc:
                trace.append((i, n, op.kind, f"ValueError{exc.args}"))
                if op.kind == "raise":
                    raise
            catching = catching or op.kind == "catch_cancel"
        return f"done {i}"

    async def perform(i: int, op: Op, tasks: list[Any], futures: list[Any]) -> None:
        if op.kind == "sleep":
            await aio.sleep(op.arg / 100)
        elif op.kind == "await_task" and op.arg < len(tasks) and op.arg > i:
            # Only later tasks: awaiting an earlier one could form a cycle that never ends.
            await tasks[op.arg]
        elif op.kind == "set_future" and not futures[op.arg].done():
            futures[op.arg].set_result(i)
        elif op.kind == "await_future":
            await futures[op.arg]
        elif op.kind == "cancel" and op.arg < len(tasks):
            trace.append((i, "cancel", op.arg, tasks[op.arg].cancel()))
        elif op.kind == "raise":
            raise ValueError(i)

    async def main() -> list[str]:
        loop = aio.get_running_loop()
        futures = [loop.create_future() for _ in range(FUTURES)]
        tasks: list[Any] = []
        for i, body in enumerate(program):
            tasks.append(asyncio_create_task(aio, worker(i, body, tasks, futures)))
        await aio.sleep(1)  # long after every sleep above; what still waits is left over
        for fut in futures:
            fut.cancel()
        # Cancel the leftovers here, in task order: asyncio.run would cancel them in the order
        # of a set (by id), which differs from run to run on either loop.
        for _ in range(len(tasks)):
            for task in tasks:
                task.cancel()
            await aio.sleep(1)
        states = []
        for task in tasks:
            if not task.done():
                states.append("pending")
            elif task.cancelled():
                states.append("cancelled")
            elif task.exception() is not None:
                states.append(repr(task.exception()))
            else:
                states.append(task.result())
        return states

    with aio.Runner(loop_factory=loop_factory) as runner:
        states = runner.run(main())
    return trace, states


def asyncio_create_task(aio: ModuleType, coro: Any) -> Any:
    return aio.get_running_loop().create_task(coro)


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(programs)
def test_random_programs_behave_identically_on_asyncio_and_tinyloop(
    program: list[list[Op]],
) -> None:
    expected = run_program(asyncio, VirtualTimeAsyncioLoop, program)
    actual = run_program(tinyloop, VirtualTimeEventLoop, program)
    assert actual == expected
