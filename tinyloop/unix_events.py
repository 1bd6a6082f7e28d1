"""Unix: signal handlers, pipe transports and child processes.

CPython: ``Lib/asyncio/unix_events.py`` (``add_signal_handler``, ``_UnixReadPipeTransport``,
``_UnixWritePipeTransport``, ``_PidfdChildWatcher``, ``_ThreadedChildWatcher``) and
``Lib/asyncio/base_subprocess.py`` (``BaseSubprocessTransport``).

A signal arrives between two bytecodes of whatever runs. Python's C handler writes the signal's
number to the wake-up fd (``signal.set_wakeup_fd``), which is the write end of the loop's
self-pipe: the selector wait (phase 3 of a turn) returns, the loop reads the number there and
adds the handler to the ready callbacks, which run in phase 5. So a handler never runs inside
another callback.

A child process is ``subprocess.Popen`` with its pipes wrapped in pipe transports, which read and
write them in selector callbacks like a socket's. Its exit is seen through a pidfd (Linux 5.3+),
a file descriptor that turns readable when the child exits, so the selector waits for that too;
where there is none, a thread blocks in ``waitpid`` and tells the loop.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import signal
import stat
import subprocess
import threading
import warnings
from typing import Any, cast

from tinyloop.connections import ConnectionEventLoop
from tinyloop.coroutines import iscoroutine, iscoroutinefunction
from tinyloop.futures import Future
from tinyloop.handles import Handle
from tinyloop.locks import Event
from tinyloop.loop import logger
from tinyloop.protocols import Protocol
from tinyloop.tasks import _set_result_unless_cancelled
from tinyloop.transports import (
    _MAX_RECV,
    BufferedWrites,
    ReadTransport,
    SelectorTransport,
    SubprocessTransport,
    WriteTransport,
)


class UnixEventLoop(ConnectionEventLoop):
    """The connection loop, with signals, pipes and subprocesses."""

    # Who reaps the children: None, the loop itself (a pidfd, or a thread that waits). Loop
    # mode on 3.11-3.13 puts asyncio's child watcher here, the one asyncio's policy names.
    _child_watcher: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signal_handlers: dict[int, Handle] = {}

    def close(self) -> None:
        for sig in list(self._signal_handlers):
            self.remove_signal_handler(sig)
        super().close()

    # -- signals ----------------------------------------------------------------------------

    def add_signal_handler(self, sig: int, callback: Any, *args: Any) -> None:
        """Run ``callback(*args)`` in the loop each time ``sig`` arrives (main thread only)."""
        if iscoroutine(callback) or iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with add_signal_handler()")
        _check_signal(sig)
        self._check_closed()
        try:  # refused outside the main thread: signals are delivered to the main thread only
            signal.set_wakeup_fd(self._csock.fileno())
        except (ValueError, OSError) as exc:
            raise RuntimeError(str(exc)) from None
        self._signal_handlers[sig] = Handle(callback, args, self)
        try:
            # A Python-level handler that does nothing: the C handler's write to the wake-up fd
            # is what wakes the loop. No SA_RESTART-less interrupts of system calls, either.
            _set_handler(sig, _do_nothing)
            signal.siginterrupt(sig, False)
        except BaseException:
            del self._signal_handlers[sig]
            if not self._signal_handlers:
                signal.set_wakeup_fd(-1)
            raise

    def remove_signal_handler(self, sig: int) -> bool:
        """Restore the default handling of ``sig``; False if it had no handler here."""
        _check_signal(sig)
        if self._signal_handlers.pop(sig, None) is None:
            return False
        _set_handler(sig, signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL)
        if not self._signal_handlers:
            try:
                signal.set_wakeup_fd(-1)
            except (ValueError, OSError) as exc:
                logger.info("set_wakeup_fd(-1) failed: %s", exc)
        return True

    def _read_from_self(self) -> None:
        # Each byte is a wake-up: 0 from call_soon_threadsafe, else a signal's number.
        while True:
            try:
                data = self._ssock.recv(4096)
            except (BlockingIOError, InterruptedError):
                return
            if not data:
                return
            for signum in data:
                handle = self._signal_handlers.get(signum)
                if handle is not None and not handle.cancelled():
                    self._ready.append(handle)

    # -- pipes ------------------------------------------------------------------------------

    async def connect_read_pipe(self, protocol_factory: Any, pipe: Any) -> tuple[Any, Any]:
        """A transport that reads ``pipe`` (a file object) for ``protocol_factory()``."""
        return await self._connect_transport(ReadPipeTransport, pipe, protocol_factory)

    async def connect_write_pipe(self, protocol_factory: Any, pipe: Any) -> tuple[Any, Any]:
        """A transport that writes to ``pipe``, with a buffer, as a socket transport does."""
        return await self._connect_transport(WritePipeTransport, pipe, protocol_factory)

    # -- subprocesses -----------------------------------------------------------------------

    async def subprocess_exec(
        self, protocol_factory: Any, program: Any, *args: Any, **kwargs: Any
    ) -> tuple[Any, Any]:
        """Start ``program args…`` with ``subprocess.Popen``'s keywords (pipes by default)."""
        if kwargs.get("shell"):
            raise ValueError("shell must be False")
        return await self._start(protocol_factory, (program, *args), False, kwargs)

    async def subprocess_shell(
        self, protocol_factory: Any, cmd: Any, **kwargs: Any
    ) -> tuple[Any, Any]:
        """Start ``cmd`` in the shell."""
        if not isinstance(cmd, bytes | str):
            raise ValueError("cmd must be a string")
        if not kwargs.pop("shell", True):
            raise ValueError("shell must be True")
        return await self._start(protocol_factory, cmd, True, kwargs)

    async def _start(
        self, protocol_factory: Any, args: Any, shell: bool, kwargs: dict[str, Any]
    ) -> tuple[Any, Any]:
        # asyncio's checks: the pipes carry bytes, unbuffered.
        for name, allowed in (("universal_newlines", False), ("text", False), ("bufsize", 0)):
            if kwargs.pop(name, allowed) not in (allowed, None):
                raise ValueError(f"{name} must be {allowed}")
        for name in ("encoding", "errors"):
            if kwargs.pop(name, None) is not None:
                raise ValueError(f"{name} must be None")
        for name in ("stdin", "stdout", "stderr"):
            kwargs.setdefault(name, subprocess.PIPE)
        protocol = protocol_factory()
        waiter: Future[None] = self.create_future()
        transport = ProcessTransport(self, protocol, args, shell, waiter, kwargs)
        try:
            await waiter  # the pipes' transports are connected
        except BaseException:
            transport.close()
            await transport._wait()
            raise
        return transport, protocol


def _check_signal(sig: Any) -> None:
    if not isinstance(sig, int):
        raise TypeError(f"sig must be an int, not {sig!r}")
    if sig not in signal.valid_signals():
        raise ValueError(f"invalid signal number {sig}")


def _set_handler(sig: int, handler: Any) -> None:
    try:
        signal.signal(sig, handler)
    except OSError as exc:
        if exc.errno == errno.EINVAL:  # SIGKILL, SIGSTOP: asyncio's words
            raise RuntimeError(f"sig {sig:d} cannot be caught") from None
        raise


def _do_nothing(signum: int, frame: Any) -> None:
    """The signal's Python-level handler: the C handler has already woken the loop."""


def _check_pipe(pipe: Any) -> None:
    mode = os.fstat(pipe.fileno()).st_mode
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode)):
        raise ValueError("Pipe transport is for pipes/sockets only.")
    os.set_blocking(pipe.fileno(), False)


class ReadPipeTransport(SelectorTransport, ReadTransport):
    """The read end of a pipe. CPython: ``_UnixReadPipeTransport``."""

    def __init__(self, loop: Any, pipe: Any, protocol: Any, waiter: Future[None] | None) -> None:
        _check_pipe(pipe)
        self._buffer = b""  # nothing is ever written
        super().__init__(loop, pipe, protocol, waiter, {"pipe": pipe})

    def _read_ready(self) -> None:
        try:
            data = os.read(self._file.fileno(), _MAX_RECV)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._fatal_error(exc, "Fatal read error on pipe transport")
            return
        if data:
            self._protocol.data_received(data)
            return
        self._closing = True  # EOF: the writer closed its end
        self._loop.remove_reader(self._file)
        self._loop.call_soon(self._protocol.eof_received)
        self._loop.call_soon(self._call_connection_lost, None)


class WritePipeTransport(BufferedWrites, WriteTransport):
    """The write end of a pipe. CPython: ``_UnixWritePipeTransport``. It also watches the pipe
    for readability: on a pipe we only write to, that means the reader has gone. ``close()``
    closes the pipe once the buffer is written: the reader then reads EOF."""

    _kind = "pipe"

    def __init__(self, loop: Any, pipe: Any, protocol: Any, waiter: Future[None] | None) -> None:
        _check_pipe(pipe)
        self._buffer = bytearray()
        super().__init__(loop, pipe, protocol, waiter, {"pipe": pipe})

    def _start_reading(self) -> None:
        # A pipe or a socket turns readable when the reader has gone; a terminal does when it
        # has input, which is not ours to read (asyncio watches only the first two too).
        mode = os.fstat(self._file.fileno()).st_mode
        if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
            super()._start_reading()

    def _read_ready(self) -> None:
        self._force_close(BrokenPipeError() if self._buffer else None)

    def _send(self, data: Any) -> int:
        return os.write(self._file.fileno(), data)

    def write_eof(self) -> None:
        # A pipe has no half-close: closing our end is the EOF. (So _eof stays False, and
        # BufferedWrites never needs an _end from a pipe.)
        self.close()


class ProcessTransport(SubprocessTransport):
    """A child process and the transports of its pipes.

    CPython: ``BaseSubprocessTransport`` (``base_subprocess.py``). The protocol hears
    ``connection_made`` once every pipe is connected, ``pipe_data_received`` for output,
    ``process_exited`` at the exit, and ``connection_lost`` once the child has exited and every
    pipe is closed. ``wait()`` returns at the exit, even while a grandchild keeps a pipe open
    (3.14's order; 3.12 and 3.13 wait for the pipes too, and hang then)."""

    def __init__(
        self, loop: Any, protocol: Any, args: Any, shell: bool, waiter: Future[None],
        kwargs: dict[str, Any],
    ) -> None:  # fmt: skip
        self._proc: subprocess.Popen[bytes] = subprocess.Popen(
            args, shell=shell, bufsize=0, **kwargs
        )
        super().__init__({"subprocess": self._proc})
        self._loop = loop
        self._protocol = protocol
        self._returncode: int | None = None
        self._exit_seen = Event()  # the child has exited: wait() returns
        self._pipes: dict[int, Any] = {}  # fd -> pipe transport, once connected
        self._open_fds: set[int] = set()  # the pipes whose connection_lost has not come yet
        self._closed = False
        # What happens before the protocol's connection_made waits here, then runs in order.
        self._pending: list[tuple[Any, tuple[Any, ...]]] | None = []
        self._watch_exit(self._proc.pid)
        loop.create_task(self._connect_pipes(waiter))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} pid={self.get_pid()} returncode={self._returncode}>"

    def __del__(self, _warn: Any = warnings.warn) -> None:
        if not getattr(self, "_closed", True):
            _warn(f"unclosed transport {self!r}", ResourceWarning, source=self)

    async def _connect_pipes(self, waiter: Future[None]) -> None:
        proc, loop = self._proc, self._loop
        pipes = {0: proc.stdin, 1: proc.stdout, 2: proc.stderr}
        try:
            for fd, pipe in pipes.items():
                if pipe is not None:
                    self._open_fds.add(fd)
                    connect = loop.connect_write_pipe if fd == 0 else loop.connect_read_pipe
                    transport, _ = await connect(functools.partial(_PipeProtocol, self, fd), pipe)
                    self._pipes[fd] = transport
        except BaseException as exc:
            for fd, pipe in pipes.items():
                if pipe is not None and fd not in self._pipes:
                    pipe.close()  # never connected: no transport of ours will close it
            if not waiter.done():
                waiter.set_exception(exc)
            return
        self._loop.call_soon(self._protocol.connection_made, self)
        for callback, args in self._pending or ():
            self._loop.call_soon(callback, *args)
        self._pending = None
        self._loop.call_soon(_set_result_unless_cancelled, waiter, None)
        self._try_finish()  # the child may have exited, and its pipes closed, already

    def _call(self, method: str, *args: Any) -> None:
        """Call the protocol's ``method`` in a later turn, once it is connected."""
        callback = getattr(self._protocol, method)
        if self._pending is not None:
            self._pending.append((callback, args))
        else:
            self._loop.call_soon(callback, *args)

    def _watch_exit(self, pid: int) -> None:
        if self._loop._child_watcher is not None:
            self._loop._child_watcher.add_child_handler(pid, self._reaped)
            return
        try:
            pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):  # no pidfd here: a thread waits instead
            threading.Thread(target=self._wait_in_thread, args=(pid,), daemon=True).start()
            return
        self._loop.add_reader(pidfd, self._pidfd_ready, pidfd, pid)

    def _pidfd_ready(self, pidfd: int, pid: int) -> None:
        self._loop.remove_reader(pidfd)
        os.close(pidfd)
        self._exited(_reap(pid))

    def _wait_in_thread(self, pid: int) -> None:
        self._reaped(pid, _reap(pid))

    def _reaped(self, pid: int, returncode: int) -> None:
        """The exit status, from any thread: our waiting thread's, or a child watcher's."""
        self._loop.call_soon_threadsafe(self._exited, returncode)

    def _exited(self, returncode: int) -> None:
        self._returncode = returncode
        self._exit_seen.set()
        if self._proc.returncode is None:
            self._proc.returncode = returncode
        self._call("process_exited")
        self._try_finish()

    def _pipe_lost(self, fd: int, exc: BaseException | None) -> None:
        self._open_fds.discard(fd)
        self._call("pipe_connection_lost", fd, exc)
        self._try_finish()

    def _try_finish(self) -> None:
        # Done once the child has exited and every pipe is closed, in whichever order: then
        # connection_lost comes after every pipe_connection_lost and process_exited call.
        connected = self._pending is None
        if self._returncode is not None and connected and not self._open_fds:
            self._loop.call_soon(self._finish)

    def _finish(self) -> None:
        if self._protocol is None:
            return
        try:
            self._protocol.connection_lost(None)
        finally:
            self._protocol = None
            self._closed = True

    async def _wait(self) -> int:
        await self._exit_seen.wait()
        return cast(int, self._returncode)

    def get_pid(self) -> int:
        return self._proc.pid

    def get_returncode(self) -> int | None:
        return self._returncode

    def get_pipe_transport(self, fd: int) -> Any:
        return self._pipes.get(fd)

    def send_signal(self, signal: int) -> None:
        if self._returncode is not None:
            raise ProcessLookupError
        # Not Popen.send_signal: its poll() may reap the child first, and the exit status would
        # be lost to whoever watches for the exit (gh-87744). A zombie ignores the signal.
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._proc.pid, signal)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def is_closing(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Close the pipes; kill the child if it still runs (asyncio does the same)."""
        if self._closed:
            return
        self._closed = True
        for pipe in self._pipes.values():
            pipe.close()
        if self._returncode is None and self._proc.poll() is None:
            if self._loop.get_debug():
                logger.warning("Close running child process: kill %r", self)
            with contextlib.suppress(ProcessLookupError):
                self._proc.kill()


class _PipeProtocol(Protocol):
    """Connects one pipe's transport to the process's protocol. It ignores ``connection_made``
    and ``eof_received`` (``Protocol``'s): the process's protocol hears of neither."""

    def __init__(self, process: ProcessTransport, fd: int) -> None:
        self._process, self._fd = process, fd

    def data_received(self, data: bytes) -> None:
        self._process._call("pipe_data_received", self._fd, data)

    def pause_writing(self) -> None:
        self._process._protocol.pause_writing()

    def resume_writing(self) -> None:
        self._process._protocol.resume_writing()

    def connection_lost(self, exc: BaseException | None) -> None:
        # In a later turn: the pipe's transport marks itself closed after this returns.
        self._process._loop.call_soon(self._process._pipe_lost, self._fd, exc)


def _reap(pid: int) -> int:
    """The child's exit status, as ``Popen.returncode`` gives it (-N if killed by signal N)."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:  # reaped by someone else already: asyncio says 255 too
        logger.warning("Unknown child process pid %d, will report returncode 255", pid)
        return 255
    return os.waitstatus_to_exitcode(status)
