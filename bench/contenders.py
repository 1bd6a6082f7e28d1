"""The contenders: the event loops a child process can measure, and how it sets each one up.

A contender is set up inside its own child process, before anything imports asyncio: the pure
Python variant of asyncio only exists if the C accelerator ``_asyncio`` is blocked before the
first ``import asyncio``. So this module imports no event loop at import time.

- ``tinyloop``: tinyloop's loop with its own futures and tasks, and every asyncio name taken
  from ``tinyloop``;
- ``asyncio``: asyncio as shipped, whose ``Future`` and ``Task`` come from ``_asyncio`` (C);
- ``asyncio-pure``: asyncio with ``_asyncio`` blocked, so ``Future`` and ``Task`` are the Python
  classes of ``asyncio/futures.py`` and ``asyncio/tasks.py`` (the loop is Python in both);
- ``uvloop``: asyncio's names and ``Task``/``Future``, on uvloop's loop (Cython over libuv);
- ``floor``: no loop at all: ``coroutine.send()`` driving the same awaits by hand.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TypeVar

T = TypeVar("T")

TINYLOOP = "tinyloop"
ASYNCIO = "asyncio"
ASYNCIO_PURE = "asyncio-pure"
UVLOOP = "uvloop"
FLOOR = "floor"

LOOPS = (TINYLOOP, ASYNCIO, ASYNCIO_PURE, UVLOOP)
"""The contenders that are event loops, in the order the runner interleaves them."""
CONTENDERS = (*LOOPS, FLOOR)
BASELINE = ASYNCIO
"""Every ratio is against asyncio as shipped, measured in the same round."""

DESCRIPTIONS = {
    TINYLOOP: "tinyloop's loop, futures and tasks; every asyncio name taken from tinyloop",
    ASYNCIO: "asyncio as shipped: Future and Task from the C accelerator _asyncio",
    ASYNCIO_PURE: "asyncio with _asyncio blocked: the Python Future and Task",
    UVLOOP: "uvloop.new_event_loop() (Cython over libuv), asyncio's Task and Future",
    FLOOR: "no loop: coroutine.send() through the same awaits, driven by hand",
}


class ContenderUnavailable(Exception):
    """The contender cannot run here (uvloop not installed); the message says why."""


class ContenderMisconfigured(RuntimeError):
    """The contender is not what it claims to be (asyncio-pure still using C classes)."""


@dataclass(frozen=True)
class Flavour:
    """A contender, set up: where the benchmarks take asyncio's names from, and its loop."""

    name: str
    aio: ModuleType
    new_event_loop: Callable[[], Any]

    def run(self, workload: Callable[[ModuleType, int], Coroutine[Any, Any, T]], n: int) -> T:
        """``workload(aio, n)`` on a new loop of this contender, closed (with its async
        generators) afterwards; what the workload returns."""
        loop = self.new_event_loop()
        try:
            return loop.run_until_complete(workload(self.aio, n))  # type: ignore[no-any-return]
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()


def set_up(name: str) -> Flavour:
    """Import and check the contender ``name``; call this before anything imports asyncio."""
    if name == TINYLOOP:
        import tinyloop
        from tinyloop import standin
        from tinyloop.asyncio_compat import new_tinyloop_event_loop

        # Standing in for asyncio, so that a library a workload imports (aiohttp) runs on
        # tinyloop too; with tinyloop's own futures and tasks, as standing in gives them.
        standin.install()
        return Flavour(name, tinyloop, new_tinyloop_event_loop)
    if name == ASYNCIO:
        import asyncio

        if asyncio.Future.__module__ != "_asyncio" or asyncio.Task.__module__ != "_asyncio":
            raise ContenderMisconfigured("asyncio as shipped is expected to use _asyncio (C)")
        return Flavour(name, asyncio, asyncio.new_event_loop)
    if name == ASYNCIO_PURE:
        pure = _pure_asyncio()
        return Flavour(name, pure, pure.new_event_loop)
    if name == UVLOOP:
        try:
            uvloop = importlib.import_module("uvloop")
        except ImportError as exc:
            raise ContenderUnavailable(f"not installed: {exc}") from exc
        import asyncio

        return Flavour(name, asyncio, uvloop.new_event_loop)
    raise ValueError(f"{name!r} is not an event loop contender (one of {', '.join(LOOPS)})")


def _pure_asyncio() -> ModuleType:
    """asyncio with its C accelerator blocked, checked: fails loudly if C classes slipped in."""
    if "asyncio" not in sys.modules:
        if "_asyncio" in sys.modules and sys.modules["_asyncio"] is not None:
            raise ContenderMisconfigured("_asyncio was imported before it could be blocked")
        sys.modules["_asyncio"] = None  # type: ignore[assignment]  # import _asyncio fails
    import asyncio
    import asyncio.futures
    import asyncio.tasks

    if asyncio.Future.__module__ != "asyncio.futures":
        raise ContenderMisconfigured(
            f"asyncio-pure: asyncio.Future comes from {asyncio.Future.__module__}, not Python"
        )
    python_task = getattr(asyncio.tasks, "_PyTask", None)
    if asyncio.Task is not python_task or asyncio.Task.__module__ != "asyncio.tasks":
        raise ContenderMisconfigured(
            f"asyncio-pure: asyncio.Task comes from {asyncio.Task.__module__}, not Python"
        )
    return asyncio


def version(name: str) -> str | None:
    """The installed version of the contender's package (None for the standard library)."""
    package = {TINYLOOP: "tinyloop", UVLOOP: "uvloop"}.get(name)
    if package is None:
        return None
    import importlib.metadata  # here: it takes longer to import than asyncio itself

    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
