"""Make ``import asyncio`` (and ``from asyncio import …``, ``import asyncio.events``) give tinyloop.

No CPython counterpart. Used by ``python -m tinyloop`` and by the site's test harness to run an
unchanged asyncio program on tinyloop. Programs and libraries also import asyncio's submodules
by name (``from asyncio.base_events import BaseEventLoop``): each is given as the tinyloop module
that holds the same names, or, where asyncio's file holds what tinyloop keeps in several
modules, as one module with all their names.
"""

from __future__ import annotations

import importlib
import sys
import types

import tinyloop

# asyncio's submodule -> the tinyloop modules that hold its names.
SUBMODULES = {
    "base_events": ("loop", "connections", "events"),
    "coroutines": ("coroutines", "tasks"),
    "events": ("events", "handles", "running", "asyncio_compat"),
    "exceptions": ("exceptions",),
    "futures": ("futures",),
    "locks": ("locks",),
    "protocols": ("protocols",),
    "queues": ("queues",),
    "runners": ("runners",),
    "selector_events": ("selector_io", "sockets", "transports", "connections"),
    "sslproto": ("sslproto",),
    "streams": ("streams",),
    "subprocess": ("subprocess",),
    "taskgroups": ("taskgroups",),
    "tasks": ("tasks", "gathering", "waiting", "threads"),
    "threads": ("threads",),
    "timeouts": ("timeouts",),
    "transports": ("transports",),
    "unix_events": ("unix_events",),
}


def install() -> None:
    """From now on, ``import asyncio`` in this process returns the ``tinyloop`` package."""
    sys.modules["asyncio"] = tinyloop
    for name, sources in SUBMODULES.items():
        modules = [importlib.import_module(f"tinyloop.{source}") for source in sources]
        if len(modules) == 1:
            sys.modules[f"asyncio.{name}"] = modules[0]
            continue
        merged = types.ModuleType(f"asyncio.{name}", f"tinyloop's {', '.join(sources)}")
        for module in reversed(modules):  # the first module's names win
            merged.__dict__.update(
                (key, value) for key, value in vars(module).items() if not key.startswith("__")
            )
        sys.modules[f"asyncio.{name}"] = merged
