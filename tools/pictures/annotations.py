"""What the timelines need beyond ``Tracer``'s events, from an instrument of our own.

``Annotator`` is added to the loop right after the ``Tracer``, so the loop calls it right after
the tracer recorded each event; it attaches what it learns to that event, by its index in
``Tracer.events``:

- which timer a ``timer``/``due`` event is (timers are numbered in the order they were
  scheduled) and its deadline; timers found cancelled, on the first event after the cancelling;
- the exception a ``step`` throws into the coroutine (the awaited future was cancelled or
  failed), and what the step printed;
- the row label of a spawned task: its coroutine, and its arguments named in ``SHOWN_ARGUMENTS``;
- which sockets the selector reported ready (``after_io_wait`` receives ``(key, mask)`` pairs),
  named by their role, not by their file descriptor or port: those change from run to run.
"""

from __future__ import annotations

import io
import math
import os
import selectors
import socket
from dataclasses import dataclass, field
from typing import Any

from tinyloop.loop import EventLoop
from tinyloop.tracing import Tracer

SHOWN_ARGUMENTS = ("name", "delay")  # a task's row shows these arguments of its coroutine


@dataclass
class Extra:
    """What one trace event means beyond its own text."""

    label: str = ""  # spawn: the task's coroutine, as a call
    timer: int | None = None  # timer, due: the timer's number
    deadline: float | None = None  # timer: when it is due, on the tracer's time scale
    cancelled_timers: list[int] = field(default_factory=list)
    thrown: str = ""  # step: the exception thrown in at the await, if any
    printed: list[str] = field(default_factory=list)  # suspend, exit: the step's output
    timeout: float = -1.0  # wait: the selector's timeout; math.inf for None (wait for I/O)
    ready: list[str] = field(default_factory=list)  # woke: the I/O the selector reported


class Annotator:
    """An instrument (see ``EventLoop.add_instrument``) that annotates a ``Tracer``'s events."""

    def __init__(
        self, tracer: Tracer, loop: EventLoop, output: io.StringIO, names: tuple[str, ...]
    ) -> None:
        self._tracer = tracer
        self._loop = loop
        self._output = output
        self._printed_before = 0
        self._timers: dict[Any, int] = {}  # timer handle → number, while scheduled
        self._timers_scheduled = 0
        self._awaited: dict[Any, Any] = {}  # task → the future its last step suspended on
        self._sockets = SocketNames(names)
        self.extras: dict[int, Extra] = {}

    def _extra(self) -> Extra:
        """The annotation of the event the tracer recorded last."""
        return self.extras.setdefault(len(self._tracer.events) - 1, Extra())

    def _start(self) -> float:
        return self._loop.time() - self._tracer.events[-1].time

    def _note_cancelled_timers(self) -> None:
        for timer, number in list(self._timers.items()):
            if timer.cancelled():
                del self._timers[timer]
                self._extra().cancelled_timers.append(number)

    def task_spawned(self, task: Any) -> None:
        self._extra().label = call_label(task.get_coro())

    def before_task_step(self, task: Any) -> None:
        self._note_cancelled_timers()
        self._printed_before = len(self._output.getvalue())
        future = self._awaited.pop(task, None)
        if future is not None and future.done():
            if future.cancelled():
                self._extra().thrown = "CancelledError"
            elif future.exception() is not None:
                self._extra().thrown = type(future.exception()).__name__

    def after_task_step(self, task: Any) -> None:
        self._note_cancelled_timers()
        printed = self._output.getvalue()[self._printed_before :]
        self._extra().printed = printed.splitlines()
        if not task.done():
            self._awaited[task] = task._fut_waiter

    def timer_scheduled(self, timer: Any) -> None:
        number = self._timers_scheduled = self._timers_scheduled + 1
        self._timers[timer] = number
        extra = self._extra()
        extra.timer = number
        extra.deadline = timer.when() - self._start()

    def timer_due(self, timer: Any) -> None:
        self._extra().timer = self._timers.pop(timer, None)

    def before_io_wait(self, timeout: float | None) -> None:
        self._note_cancelled_timers()
        self._extra().timeout = math.inf if timeout is None else timeout

    def after_io_wait(self, events: list[tuple[selectors.SelectorKey, int]]) -> None:
        self._sockets.find_listeners(self._loop._selector.get_map().values())
        ready = [self._sockets.describe(key, mask) for key, mask in events]
        self._extra().ready = [what for what in ready if what]


def call_label(coro: Any) -> str:
    """``worker(0.3)``: the coroutine's name and the arguments worth showing."""
    name = getattr(coro, "__qualname__", type(coro).__name__)
    frame = getattr(coro, "cr_frame", None)
    local = frame.f_locals if frame is not None else {}
    shown = [repr(local[arg]) for arg in SHOWN_ARGUMENTS if arg in local]
    return f"{name}({', '.join(shown)})"


class SocketNames:
    """Names sockets by their role in a program of one server and its clients: the listener,
    a client's end of connection N, the server's end of it. Connections are numbered in the
    order they first appear, and ``names`` may name them (``("A", "B")``)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self._names = names
        self._listening_ports: set[int] = set()
        self._clients: list[int] = []  # the client-side port of each connection, in order

    def find_listeners(self, keys: Any) -> None:
        for key in keys:
            sock = key.fileobj
            if isinstance(sock, socket.socket) and sock.fileno() != -1 and _listening(sock):
                self._listening_ports.add(sock.getsockname()[1])

    def describe(self, key: selectors.SelectorKey, mask: int) -> str:
        if key.data == (None, None):
            return ""  # the self-pipe: a wake-up from another thread, not I/O
        state = "readable" if mask & selectors.EVENT_READ else "writable"
        return f"{self._role(key.fileobj)} {state}"

    def _role(self, fileobj: Any) -> str:
        sock = fileobj if isinstance(fileobj, socket.socket) else None
        if sock is None:  # registered by its number (sock_connect): look at a duplicate
            with socket.socket(fileno=os.dup(fileobj)) as duplicate:
                return self._role(duplicate)
        if _listening(sock):
            return "listener"
        try:
            local, peer = sock.getsockname()[1], sock.getpeername()[1]
        except OSError:
            return "a socket"
        server_side = local in self._listening_ports
        name = self._connection(peer if server_side else local)
        return f"server's end of {name}" if server_side else f"{name}'s end"

    def _connection(self, client_port: int) -> str:
        if client_port not in self._clients:
            self._clients.append(client_port)
        number = self._clients.index(client_port)
        return self._names[number] if number < len(self._names) else f"client {number + 1}"


def _listening(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))
