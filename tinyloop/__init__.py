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
``streams``, ``threads``, ``asyncgens``. Around it: ``asyncio_compat`` (the loop under asyncio
itself), ``clock`` (virtual time), ``tracing``, and ``python -m tinyloop script.py``, which runs
an asyncio program with tinyloop standing in for asyncio.
"""

from tinyloop.asyncio_compat import new_event_loop
from tinyloop.connections import Server
from tinyloop.exceptions import CancelledError, InvalidStateError, TimeoutError
from tinyloop.futures import Future, isfuture
from tinyloop.gathering import gather
from tinyloop.handles import Handle, TimerHandle
from tinyloop.locks import BoundedSemaphore, Event, Lock, Semaphore
from tinyloop.loop import EventLoop
from tinyloop.protocols import (
    BaseProtocol,
    BufferedProtocol,
    DatagramProtocol,
    Protocol,
    SubprocessProtocol,
)
from tinyloop.queues import LifoQueue, PriorityQueue, Queue, QueueEmpty, QueueFull
from tinyloop.runners import Runner, run
from tinyloop.running import get_event_loop, get_running_loop
from tinyloop.selector_io import SelectorEventLoop
from tinyloop.streams import (
    IncompleteReadError,
    LimitOverrunError,
    StreamReader,
    StreamReaderProtocol,
    StreamWriter,
    open_connection,
    open_unix_connection,
    start_server,
    start_unix_server,
)
from tinyloop.taskgroups import TaskGroup
from tinyloop.tasks import (
    Task,
    all_tasks,
    create_task,
    current_task,
    ensure_future,
    iscoroutine,
    sleep,
)
from tinyloop.threads import run_coroutine_threadsafe, to_thread, wrap_future
from tinyloop.timeouts import Timeout, timeout, timeout_at, wait_for
from tinyloop.transports import (
    BaseTransport,
    DatagramTransport,
    ReadTransport,
    SubprocessTransport,
    Transport,
    WriteTransport,
)
from tinyloop.waiting import (
    ALL_COMPLETED,
    FIRST_COMPLETED,
    FIRST_EXCEPTION,
    as_completed,
    shield,
    wait,
)

__all__ = [
    "ALL_COMPLETED",
    "FIRST_COMPLETED",
    "FIRST_EXCEPTION",
    "BaseProtocol",
    "BaseTransport",
    "BoundedSemaphore",
    "BufferedProtocol",
    "CancelledError",
    "DatagramProtocol",
    "DatagramTransport",
    "Event",
    "EventLoop",
    "Future",
    "Handle",
    "IncompleteReadError",
    "InvalidStateError",
    "LifoQueue",
    "LimitOverrunError",
    "Lock",
    "PriorityQueue",
    "Protocol",
    "Queue",
    "QueueEmpty",
    "QueueFull",
    "ReadTransport",
    "Runner",
    "SelectorEventLoop",
    "Semaphore",
    "Server",
    "StreamReader",
    "StreamReaderProtocol",
    "StreamWriter",
    "SubprocessProtocol",
    "SubprocessTransport",
    "Task",
    "TaskGroup",
    "Timeout",
    "TimeoutError",
    "TimerHandle",
    "Transport",
    "WriteTransport",
    "all_tasks",
    "as_completed",
    "create_task",
    "current_task",
    "ensure_future",
    "gather",
    "get_event_loop",
    "get_running_loop",
    "iscoroutine",
    "isfuture",
    "new_event_loop",
    "open_connection",
    "open_unix_connection",
    "run",
    "run_coroutine_threadsafe",
    "shield",
    "sleep",
    "start_server",
    "start_unix_server",
    "timeout",
    "timeout_at",
    "to_thread",
    "wait",
    "wait_for",
    "wrap_future",
]
