"""tinyloop: a small, readable event loop in pure Python, with asyncio's names and behaviour.

The core, in reading order, each module beside the CPython file it mirrors (``Lib/asyncio/…``):

- ``handles``: ``Handle`` and ``TimerHandle``, a callback waiting to run (``events.py``);
- ``futures``: ``Future``, a result set later (``futures.py``);
- ``tasks``: ``Task``, which drives a coroutine step by step; ``sleep`` (``tasks.py``);
- ``loop``: the ready queue, the timer heap and one turn of the loop (``base_events.py``);
- ``selector_io``: readers, writers and the self-pipe wake-up (``selector_events.py``);
- ``runners``: ``run`` and ``Runner`` (``runners.py``).

Built on the core: ``gathering`` (``gather``), ``waiting`` (``wait``, ``as_completed``,
``shield``), ``timeouts``, ``taskgroups``, ``locks``, ``queues``, ``sockets`` (``sock_*``),
``protocols``, ``transports``, ``connections`` (``create_connection``, ``create_server``),
``streams``, ``threads``, ``asyncgens``, ``debug`` (debug mode), and the reprs (``base_futures``,
``base_tasks``, ``format_helpers``). Around it: ``asyncio_compat`` (the loop under asyncio
itself), ``clock`` (virtual time), ``instruments`` and ``tracing``, and ``python -m tinyloop
script.py``, which runs an asyncio program with tinyloop standing in for asyncio.
"""

import sys as _sys
import types as _types

from tinyloop import events, subprocess
from tinyloop.asyncio_compat import new_event_loop
from tinyloop.connections import Server
from tinyloop.coroutines import *
from tinyloop.events import *
from tinyloop.exceptions import *
from tinyloop.futures import Future, isfuture
from tinyloop.gathering import gather
from tinyloop.handles import Handle, TimerHandle
from tinyloop.locks import Barrier, BoundedSemaphore, Condition, Event, Lock, Semaphore
from tinyloop.loop import EventLoop
from tinyloop.protocols import *
from tinyloop.queues import *
from tinyloop.runners import Runner, run
from tinyloop.running import (
    _get_running_loop,
    _set_running_loop,
    get_event_loop,
    get_running_loop,
    set_event_loop,
)
from tinyloop.selector_io import SelectorEventLoop
from tinyloop.streams import *
from tinyloop.subprocess import create_subprocess_exec, create_subprocess_shell
from tinyloop.taskgroups import TaskGroup
from tinyloop.tasks import Task, all_tasks, create_task, current_task, ensure_future, sleep
from tinyloop.threads import run_coroutine_threadsafe, to_thread, wrap_future
from tinyloop.timeouts import Timeout, timeout, timeout_at, wait_for
from tinyloop.transports import *

if _sys.version_info >= (3, 12):
    from tinyloop.tasks import create_eager_task_factory, eager_task_factory
if _sys.version_info >= (3, 14):
    from tinyloop.graph import *
from tinyloop.waiting import *


def __getattr__(name: str) -> object:
    """Names asyncio still has but warns about when they are looked up (3.14 on)."""
    return events.deprecated_class(name)


# Every name above but the modules: what ``from tinyloop import *`` gives, as asyncio's does.
__all__ = sorted(
    name
    for name, value in globals().items()
    if not name.startswith("_") and not isinstance(value, _types.ModuleType)
)
