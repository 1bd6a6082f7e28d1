"""Which loop is running in this thread.

CPython: ``Lib/asyncio/events.py`` (``get_running_loop``, ``_set_running_loop``,
``get_event_loop``, ``set_event_loop``). One loop at most runs in a thread at a time; coroutines
find it here instead of having it passed around.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinyloop.loop import EventLoop


class _RunningLoop(threading.local):
    loop: EventLoop | None = None
    current: EventLoop | None = None  # set_event_loop's: get_event_loop's answer when none runs


_running = _RunningLoop()
if hasattr(os, "register_at_fork"):  # a forked child runs no loop, whatever its parent ran
    os.register_at_fork(after_in_child=lambda: setattr(_running, "loop", None))


def _get_running_loop() -> EventLoop | None:
    return _running.loop


def _set_running_loop(loop: EventLoop | None) -> None:
    _running.loop = loop


def get_running_loop() -> EventLoop:
    """Return the loop running in this thread; RuntimeError if there is none."""
    loop = _running.loop
    if loop is None:
        raise RuntimeError("no running event loop")
    return loop


def set_event_loop(loop: EventLoop | None) -> None:
    """Make ``loop`` this thread's loop for ``get_event_loop`` while no loop runs."""
    _running.current = loop


def get_event_loop() -> EventLoop:
    """The running loop, else the loop ``set_event_loop`` set. Unlike asyncio before 3.14,
    tinyloop never creates a loop here implicitly."""
    loop = _running.loop or _running.current
    if loop is None:
        raise RuntimeError(
            "There is no current event loop in this thread: tinyloop has no implicit loops; "
            "use tinyloop.run() or call this from a coroutine"
        )
    return loop
