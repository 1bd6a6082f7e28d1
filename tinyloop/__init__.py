"""tinyloop: a small, readable event loop in pure Python, with asyncio's names and behaviour.

Read it in this order, each module beside the CPython file it mirrors (``Lib/asyncio/…``):

- ``handles``: ``Handle`` and ``TimerHandle``, a callback waiting to run (``events.py``);
- ``futures``: ``Future``, a result set later (``futures.py``);
- ``tasks``: ``Task``, which drives a coroutine step by step; ``sleep``, ``gather`` (``tasks.py``);
- ``loop``: the ready queue, the timer heap and one turn of the loop (``base_events.py``);
- ``selector_io``: readers, writers and the self-pipe wake-up (``selector_events.py``);
- ``runners``: ``run`` and ``Runner`` (``runners.py``).

``python -m tinyloop script.py`` runs an asyncio program with tinyloop standing in for asyncio.
"""

from tinyloop.exceptions import CancelledError, InvalidStateError, TimeoutError
from tinyloop.futures import Future, isfuture
from tinyloop.gathering import gather
from tinyloop.handles import Handle, TimerHandle
from tinyloop.loop import EventLoop
from tinyloop.runners import Runner, new_event_loop, run
from tinyloop.running import get_event_loop, get_running_loop
from tinyloop.selector_io import SelectorEventLoop
from tinyloop.tasks import (
    Task,
    all_tasks,
    create_task,
    current_task,
    ensure_future,
    iscoroutine,
    sleep,
)
from tinyloop.threads import to_thread, wrap_future

__all__ = [
    "CancelledError",
    "EventLoop",
    "Future",
    "Handle",
    "InvalidStateError",
    "Runner",
    "SelectorEventLoop",
    "Task",
    "TimeoutError",
    "TimerHandle",
    "all_tasks",
    "create_task",
    "current_task",
    "ensure_future",
    "gather",
    "get_event_loop",
    "get_running_loop",
    "iscoroutine",
    "isfuture",
    "new_event_loop",
    "run",
    "sleep",
    "to_thread",
    "wrap_future",
]
