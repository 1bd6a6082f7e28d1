"""Debug mode: what the loop checks and records while ``loop.get_debug()`` is true.

CPython spreads it over ``Lib/asyncio/base_events.py`` (``BaseEventLoop._check_callback``,
``_check_thread``, the timing of each handle in ``_run_once``, ``_set_coroutine_origin_tracking``,
the tracebacks in ``default_exception_handler``) and ``coroutines._is_debug_mode``, which turns
it on for a new loop under ``python -X dev`` or with ``PYTHONASYNCIODEBUG`` set. Here it is one
module: the loop tests ``self._debug`` where debug mode does something, and calls in here. In
debug mode:

- ``call_soon``, ``call_later``, ``call_at`` and ``run_in_executor`` refuse a coroutine or a
  coroutine function (``TypeError``); ``call_soon``, ``call_later`` and ``call_at`` called from
  a thread other than the loop's raise ``RuntimeError``: only ``call_soon_threadsafe`` may be;
- each handle, future and task keeps the stack that made it (``_source_traceback``; see
  ``format_helpers.extract_stack``), and the loop's error reports print it;
- a handle that runs ``loop.slow_callback_duration`` seconds (0.1) or longer is logged as a
  warning on the ``asyncio`` logger: a task's step names the task;
- coroutines keep where they were created (``sys.set_coroutine_origin_tracking_depth``), so a
  "coroutine ... was never awaited" warning says where.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from typing import TYPE_CHECKING, Any

from tinyloop.coroutines import iscoroutine, iscoroutinefunction
from tinyloop.format_helpers import DEBUG_STACK_DEPTH
from tinyloop.futures import isfuture

if TYPE_CHECKING:
    from tinyloop.handles import Handle
    from tinyloop.loop import EventLoop

__all__: list[str] = []

logger = logging.getLogger("asyncio")  # the loop's logger, and asyncio's

# The methods that only the loop's own thread may call; call_soon_threadsafe is the one that
# other threads may.
_LOOP_THREAD_ONLY = {"call_soon", "call_later", "call_at"}


def check_callback(loop: EventLoop, callback: object, method: str) -> None:
    """Refuse what asyncio's debug mode refuses; the loop checks callability itself."""
    if iscoroutine(callback) or iscoroutinefunction(callback):
        # A coroutine function called as a callback makes a coroutine that nobody awaits.
        raise TypeError(f"coroutines cannot be used with {method}()")
    if method in _LOOP_THREAD_ONLY and loop._thread_id not in (None, threading.get_ident()):
        raise RuntimeError(
            "Non-thread-safe operation invoked on an event loop other than the current one"
        )


def run_timed(loop: EventLoop, handle: Handle) -> None:
    """Run ``handle`` (phase 5) and log it if it took ``slow_callback_duration`` or longer."""
    loop._current_handle = handle  # for the "Handle created at" of a report it makes
    try:
        started = loop.time()
        handle._run()
        took = loop.time() - started
    finally:
        loop._current_handle = None
    if took >= loop.slow_callback_duration:
        # A task's step or wake-up is a method of the task: the task says more than the method.
        owner = getattr(handle._callback, "__self__", None)
        slow = owner if isfuture(owner) else handle
        logger.warning("Executing %r took %.3f seconds", slow, took)


def track_coroutine_origins(loop: EventLoop, enabled: bool) -> None:
    """Make new coroutines record where they were created, for as long as the loop runs in
    debug mode: the depth is the thread's, so it is restored as it was found."""
    if enabled == (loop._saved_origin_depth is not None):
        return
    if enabled:
        loop._saved_origin_depth = sys.get_coroutine_origin_tracking_depth()
        sys.set_coroutine_origin_tracking_depth(DEBUG_STACK_DEPTH)
    else:
        sys.set_coroutine_origin_tracking_depth(loop._saved_origin_depth or 0)
        loop._saved_origin_depth = None


def context_lines(loop: EventLoop, context: dict[str, Any]) -> list[str]:
    """The lines ``default_exception_handler`` logs after the message: ``key: value`` for each
    other key but the exception, and the stacks debug mode recorded, as tracebacks."""
    context = dict(context)
    handle = loop._current_handle
    if "source_traceback" not in context and handle is not None and handle._source_traceback:
        context["handle_traceback"] = handle._source_traceback  # the handle that was running
    lines = []
    for key in sorted(context.keys() - {"message", "exception"}):
        value = context[key]
        if key in _STACK_HEADINGS:
            stack = "".join(traceback.format_list(value)).rstrip()
            lines.append(f"{key}: {_STACK_HEADINGS[key]} (most recent call last):\n{stack}")
        else:
            lines.append(f"{key}: {value!r}")
    return lines


_STACK_HEADINGS = {"source_traceback": "Object created at", "handle_traceback": "Handle created at"}
