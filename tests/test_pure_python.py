"""tinyloop stays pure Python and its own: the speed work (docs/performance.md) may not borrow
asyncio's Future or Task, nor anything of the C accelerator ``_asyncio`` that they are made of.

tinyloop takes from asyncio at run time only its exception classes (an interface). As a
``loop_factory`` for asyncio (loop mode), its loop hands out asyncio's own Future and Task, on
purpose, as uvloop's does; standing in for asyncio, and under tinyloop's own runner, its own.
"""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import Any, Generic

import tinyloop

TINYLOOP_DIR = Path(tinyloop.__file__).parent


def _foreign_bases(cls: type) -> list[type]:
    allowed = {object, Generic}
    return [
        base
        for base in cls.__mro__
        if base not in allowed and not base.__module__.startswith("tinyloop.")
    ]


def test_future_and_task_inherit_from_no_class_outside_tinyloop() -> None:
    for cls in (tinyloop.Future, tinyloop.Task):
        foreign = _foreign_bases(cls)
        assert foreign == [], f"{cls.__qualname__} inherits {foreign}"


def test_the_loop_hands_out_tinyloops_own_future_and_task() -> None:
    async def nothing() -> None:
        pass

    async def main() -> tuple[Any, Any]:
        loop = tinyloop.get_running_loop()
        task = loop.create_task(nothing())
        made = (loop.create_future(), task)
        await task
        return made

    future, task = tinyloop.run(main())
    assert type(future) is tinyloop.Future, f"create_future made a {type(future)!r}"
    assert type(task) is tinyloop.Task, f"create_task made a {type(task)!r}"


CLASS_MACHINERY = {"__dict__", "__weakref__"}  # made by the class statement for any class


def _members_not_in_tinyloops_python(cls: type) -> list[str]:
    """Names of ``cls``'s own methods and descriptors that are not Python functions written in
    tinyloop's files: a C method, a function of another package."""
    found = []
    for name, member in vars(cls).items():
        if name in CLASS_MACHINERY or not hasattr(member, "__get__"):
            continue  # plain class attributes: strings, flags, tuples
        function = getattr(member, "fget", getattr(member, "__func__", member))
        source = inspect.getsourcefile(function) if inspect.isfunction(function) else None
        if source is None or Path(source).parent != TINYLOOP_DIR:
            found.append(f"{name}: {member!r}")
    return found


def test_future_and_task_methods_are_tinyloops_python_not_c() -> None:
    for cls in (tinyloop.Future, tinyloop.Task):
        foreign = _members_not_in_tinyloops_python(cls)
        assert foreign == [], f"{cls.__qualname__} has members from elsewhere: {foreign}"


def test_the_check_finds_a_method_borrowed_from_asyncio() -> None:
    class Borrowing(tinyloop.Future[Any]):
        add_done_callback = asyncio.Future.add_done_callback

    found = _members_not_in_tinyloops_python(Borrowing)
    assert [entry.split(":")[0] for entry in found] == ["add_done_callback"], found
