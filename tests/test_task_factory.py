"""The loop's task factory (``set_task_factory``/``get_task_factory``), as asyncio's
``BaseEventLoop`` has it: anyio and others read it before every task group. Each test runs on
both loops through the ``aio`` fixture, so tinyloop is held to what asyncio does."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from types import ModuleType
from typing import Any

import pytest

import tinyloop
from tinyloop.asyncio_compat import new_tinyloop_event_loop


def new_loop(aio: ModuleType) -> Any:
    """A new loop of the module under test: asyncio's, or tinyloop's with tinyloop's own futures
    and tasks (what ``new_event_loop`` gives standing in for asyncio)."""
    return new_tinyloop_event_loop() if aio is tinyloop else aio.new_event_loop()


def _run(aio: ModuleType, main: Coroutine[Any, Any, Any]) -> Any:
    loop = new_loop(aio)
    try:
        return loop.run_until_complete(main)
    finally:
        loop.close()


def test_a_new_loop_has_no_task_factory(aio: ModuleType) -> None:
    loop = new_loop(aio)
    try:
        assert loop.get_task_factory() is None
    finally:
        loop.close()


def test_set_task_factory_refuses_what_cannot_be_called(aio: ModuleType) -> None:
    loop = new_loop(aio)
    try:
        with pytest.raises(TypeError, match="task factory must be a callable or None"):
            loop.set_task_factory(42)
    finally:
        loop.close()


def test_create_task_calls_the_factory_with_the_loop_and_the_coroutine(aio: ModuleType) -> None:
    calls: list[tuple[object, str]] = []

    def factory(loop: Any, coro: Any, **keywords: Any) -> Any:
        calls.append((loop, coro.__name__))
        return aio.Task(coro, loop=loop, **keywords)

    async def child() -> str:
        return "child's result"

    async def main() -> tuple[bool, str, str]:
        loop = aio.get_running_loop()
        loop.set_task_factory(factory)
        task = loop.create_task(child(), name="named")
        return calls == [(loop, "child")], task.get_name(), await task

    assert _run(aio, main()) == (True, "named", "child's result")


@pytest.mark.skipif(sys.version_info < (3, 14), reason="the factory takes name= from 3.14")
def test_an_eager_task_has_its_name_in_its_first_step(aio: ModuleType) -> None:
    async def own_name() -> str:
        return aio.current_task().get_name()

    async def main() -> str:
        loop = aio.get_running_loop()
        loop.set_task_factory(aio.eager_task_factory)
        task = loop.create_task(own_name(), name="early")
        return await task

    assert _run(aio, main()) == "early"


def test_asyncio_create_task_goes_through_the_factory(aio: ModuleType) -> None:
    made: list[str] = []

    def factory(loop: Any, coro: Any, **keywords: Any) -> Any:
        made.append(coro.__name__)
        return aio.Task(coro, loop=loop, **keywords)

    async def child() -> None:
        pass

    async def main() -> list[str]:
        aio.get_running_loop().set_task_factory(factory)
        await aio.create_task(child())
        return made

    assert _run(aio, main()) == ["child"]


def test_setting_none_restores_the_plain_task(aio: ModuleType) -> None:
    loop = new_loop(aio)
    try:
        loop.set_task_factory(lambda loop, coro, **keywords: aio.Task(coro, loop=loop))
        loop.set_task_factory(None)
        assert loop.get_task_factory() is None
    finally:
        loop.close()


def test_under_asyncio_runner_tinyloops_loop_reports_no_factory() -> None:
    # anyio's first call in every task group (compat.md, case 4a): it used to raise
    # NotImplementedError from asyncio.AbstractEventLoop.
    with asyncio.Runner(loop_factory=tinyloop.new_event_loop) as runner:
        assert runner.run(_factory_of_running_loop()) is None


async def _factory_of_running_loop() -> object:
    return asyncio.get_running_loop().get_task_factory()
