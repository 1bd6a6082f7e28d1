"""Child processes as streams: ``create_subprocess_exec``, ``create_subprocess_shell``, ``Process``.

CPython: ``Lib/asyncio/subprocess.py``. The loop's ``subprocess_exec`` gives a process transport
and its pipes' transports (``unix_events.py``); ``SubprocessStreamProtocol`` puts a
``StreamReader`` on the child's stdout and stderr and a ``StreamWriter`` on its stdin, and
``Process`` is what a program holds.
"""

from __future__ import annotations

import contextlib
import subprocess
from typing import Any

from tinyloop.futures import Future
from tinyloop.gathering import gather
from tinyloop.running import get_running_loop
from tinyloop.streams import _LIMIT, FlowControlMixin, StreamReader, StreamWriter, _set_outcome

__all__ = [
    "DEVNULL",
    "PIPE",
    "STDOUT",
    "Process",
    "create_subprocess_exec",
    "create_subprocess_shell",
]

PIPE, STDOUT, DEVNULL = subprocess.PIPE, subprocess.STDOUT, subprocess.DEVNULL


class SubprocessStreamProtocol(FlowControlMixin):
    """The process transport's protocol: streams on the child's pipes."""

    def __init__(self, limit: int, loop: Any) -> None:
        super().__init__(loop)
        self._limit = limit
        self.stdin: StreamWriter | None = None
        self.stdout: StreamReader | None = None
        self.stderr: StreamReader | None = None
        self._transport: Any = None
        self._readers: dict[int, StreamReader] = {}  # fd 1 and 2, until their pipe closes
        self._exited = False
        self._stdin_closed: Future[None] = self._loop.create_future()

    def __repr__(self) -> str:
        streams = [f"{n}={s!r}" for n in ("stdin", "stdout", "stderr") if (s := getattr(self, n))]
        return f"<{' '.join([type(self).__name__, *streams])}>"

    def connection_made(self, transport: Any) -> None:
        self._transport = transport
        for fd in (1, 2):
            if (pipe := transport.get_pipe_transport(fd)) is not None:
                reader = StreamReader(self._limit)
                reader.set_transport(pipe)
                self._readers[fd] = reader
        self.stdout, self.stderr = self._readers.get(1), self._readers.get(2)
        if (pipe := transport.get_pipe_transport(0)) is not None:
            self.stdin = StreamWriter(pipe, self, None, self._loop)

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        reader = self._readers.get(fd)
        if reader is not None:
            reader.feed_data(data)

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if fd == 0:
            if self.stdin is not None:
                self.stdin.close()
            self.connection_lost(exc)  # drain() on stdin raises from now on
            _set_outcome(self._stdin_closed, exc)
            return
        reader = self._readers.pop(fd, None)
        if reader is not None:
            if exc is None:
                reader.feed_eof()
            else:
                reader.set_exception(exc)
        self._maybe_close_transport()

    def process_exited(self) -> None:
        self._exited = True
        self._maybe_close_transport()

    def _maybe_close_transport(self) -> None:
        if not self._readers and self._exited and self._transport is not None:
            self._transport.close()
            self._transport = None

    def _get_close_waiter(self, stream: StreamWriter) -> Future[None]:
        return self._stdin_closed


class Process:
    """A child process started by ``create_subprocess_exec`` or ``create_subprocess_shell``."""

    def __init__(self, transport: Any, protocol: SubprocessStreamProtocol, loop: Any) -> None:
        self._transport = transport
        self._protocol = protocol
        self._loop = loop
        self.stdin, self.stdout, self.stderr = protocol.stdin, protocol.stdout, protocol.stderr
        self.pid: int = transport.get_pid()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.pid}>"

    @property
    def returncode(self) -> int | None:
        return self._transport.get_returncode()  # type: ignore[no-any-return]

    async def wait(self) -> int:
        """Wait for the child to exit and its pipes to close; return its exit code."""
        return await self._transport._wait()  # type: ignore[no-any-return]

    def send_signal(self, signal: int) -> None:
        self._transport.send_signal(signal)

    def terminate(self) -> None:
        self._transport.terminate()

    def kill(self) -> None:
        self._transport.kill()

    async def communicate(self, input: bytes | None = None) -> tuple[bytes | None, bytes | None]:
        """Write ``input`` to stdin and close it, read stdout and stderr to the end, all at once
        (so a child that fills one pipe while we write the other cannot deadlock); then wait."""
        _, stdout, stderr = await gather(
            self._feed_stdin(input), self._read_all(self.stdout, 1), self._read_all(self.stderr, 2)
        )
        await self.wait()
        return stdout, stderr

    async def _feed_stdin(self, input: bytes | None) -> None:
        if self.stdin is None:
            return
        # The child may not read it all: communicate() does not mind, as asyncio's does not.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            if input is not None:
                self.stdin.write(input)
            await self.stdin.drain()
        self.stdin.close()

    async def _read_all(self, stream: StreamReader | None, fd: int) -> bytes | None:
        if stream is None:
            return None
        output = await stream.read()
        self._transport.get_pipe_transport(fd).close()
        return output


async def create_subprocess_exec(
    program: Any, *args: Any, stdin: Any = None, stdout: Any = None, stderr: Any = None,
    limit: int = _LIMIT, **kwds: Any,
) -> Process:  # fmt: skip
    """Start ``program`` with ``args``; ``PIPE`` for a stream gives a stream on that pipe."""
    loop: Any = get_running_loop()
    transport, protocol = await loop.subprocess_exec(
        lambda: SubprocessStreamProtocol(limit, loop), program, *args,
        stdin=stdin, stdout=stdout, stderr=stderr, **kwds,
    )  # fmt: skip
    return Process(transport, protocol, loop)


async def create_subprocess_shell(
    cmd: Any, stdin: Any = None, stdout: Any = None, stderr: Any = None,
    limit: int = _LIMIT, **kwds: Any,
) -> Process:  # fmt: skip
    """Start ``cmd`` in the shell."""
    loop: Any = get_running_loop()
    transport, protocol = await loop.subprocess_shell(
        lambda: SubprocessStreamProtocol(limit, loop), cmd,
        stdin=stdin, stdout=stdout, stderr=stderr, **kwds,
    )  # fmt: skip
    return Process(transport, protocol, loop)
