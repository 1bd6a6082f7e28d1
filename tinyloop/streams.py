"""Streams: ``open_connection``, ``start_server``, and the reader and writer they hand out.

CPython: ``Lib/asyncio/streams.py`` (``StreamReader``, ``StreamWriter``, ``open_connection``,
``start_server``) and what those stand on, cut down to what streams need: the socket transport
(``_SelectorSocketTransport`` in ``selector_events.py``) and ``Server`` (``base_events.py``).
asyncio stacks a transport, a protocol and the streams. Here the ``StreamWriter`` owns the socket
and plays the transport: the loop's reader callback feeds the ``StreamReader``, and the writer
callback sends whatever the socket could not take at once.

Flow control works both ways. A reader holding more than twice its limit stops reading from the
socket, so a fast peer's data backs up in the kernel and, in the end, in the peer's own buffer.
A writer whose buffer went over the high-water mark makes ``drain()`` wait until the socket has
taken it down to the low-water mark: that is where a fast writer waits for a slow reader.
"""

from __future__ import annotations

import functools
import socket

# Only asyncio's exception classes (an interface), so ``except asyncio.IncompleteReadError`` works.
from asyncio.exceptions import IncompleteReadError, LimitOverrunError
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, cast

from tinyloop.exceptions import CancelledError
from tinyloop.futures import Future
from tinyloop.running import get_running_loop
from tinyloop.sockets import SocketEventLoop
from tinyloop.tasks import Task, iscoroutine, sleep

__all__ = [
    "IncompleteReadError",
    "LimitOverrunError",
    "Server",
    "StreamReader",
    "StreamWriter",
    "open_connection",
    "start_server",
]

_LIMIT = 2**16  # asyncio's: the longest line readline() accepts, and half the reader's buffer
_HIGH_WATER = 64 * 1024  # asyncio's transport marks: drain() waits once the buffer is over this,
_LOW_WATER = _HIGH_WATER // 4  # until it is down to this
_MAX_RECV = 256 * 1024  # asyncio's largest single recv()

ClientConnected = Callable[["StreamReader", "StreamWriter"], Awaitable[None] | None]


async def open_connection(
    host: str | None = None, port: int | None = None, *, limit: int = _LIMIT
) -> tuple[StreamReader, StreamWriter]:
    """Connect over TCP, to each address ``host`` resolves to in turn; return reader and writer."""
    loop = cast(SocketEventLoop, get_running_loop())  # streams need the selector callbacks
    errors: list[OSError] = []
    for family, type_, proto, _, address in await _resolve(loop, host, port):
        sock = socket.socket(family, type_, proto)
        sock.setblocking(False)
        try:
            await loop.sock_connect(sock, address)
        except OSError as exc:
            sock.close()
            errors.append(exc)
            continue
        except BaseException:
            sock.close()  # cancelled: the socket must not outlive the call
            raise
        reader = StreamReader(limit)
        return reader, StreamWriter(loop, sock, reader)
    if len({str(exc) for exc in errors}) == 1:
        raise errors[0]
    raise OSError(f"Multiple exceptions: {', '.join(str(exc) for exc in errors)}")


async def start_server(
    client_connected_cb: ClientConnected,
    host: str | None = None,
    port: int | None = None,
    *,
    limit: int = _LIMIT,
    backlog: int = 100,
) -> Server:
    """Listen on ``host:port`` (every interface if ``host`` is None); for each connection call
    ``client_connected_cb(reader, writer)``, in a task of its own if it is a coroutine."""
    loop = cast(SocketEventLoop, get_running_loop())
    sockets: list[socket.socket] = []
    try:
        for family, type_, proto, _, address in await _resolve(loop, host, port, socket.AI_PASSIVE):
            sockets.append(sock := socket.socket(family, type_, proto))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, True)
            if family == socket.AF_INET6:  # else '::' would take the IPv4 port too (asyncio)
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, True)
            sock.bind(address)
            sock.listen(backlog)
            sock.setblocking(False)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return Server(loop, sockets, client_connected_cb, limit, backlog)


async def _resolve(loop: SocketEventLoop, host: Any, port: Any, flags: int = 0) -> list[Any]:
    """IP addresses are parsed on the spot, as asyncio does (``_ipaddr_info``); names go to
    ``loop.getaddrinfo``, which looks them up in a thread: a lookup blocks."""
    try:
        numeric = flags | socket.AI_NUMERICHOST
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=numeric)
    except socket.gaierror:
        pass
    return await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=flags)


class StreamReader:
    """The bytes that have arrived and not been read yet, and the coroutines that read them."""

    def __init__(self, limit: int = _LIMIT) -> None:
        if limit <= 0:
            raise ValueError("Limit cannot be <= 0")
        self._limit = limit
        self._buffer = bytearray()
        self._eof = False
        self._exception: BaseException | None = None
        self._waiter: Future[None] | None = None  # the one read waiting for data
        self._writer: StreamWriter | None = None  # owns the socket: pauses and resumes reading
        self._paused = False  # reading paused: the buffer holds over twice the limit

    def exception(self) -> BaseException | None:
        return self._exception

    def set_exception(self, exc: BaseException) -> None:
        self._exception = exc
        self._wake_waiter(exc)

    def feed_data(self, data: bytes) -> None:
        self._buffer += data
        self._wake_waiter()
        if self._writer and not self._paused and len(self._buffer) > 2 * self._limit:
            self._paused = True
            self._writer._pause_reading()

    def feed_eof(self) -> None:
        self._eof = True
        self._wake_waiter()

    def at_eof(self) -> bool:
        """True once the peer has closed its side and everything it sent has been read."""
        return self._eof and not self._buffer

    def _wake_waiter(self, exc: BaseException | None = None) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is None or waiter.cancelled():
            return
        if exc is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(exc)

    async def _wait_for_data(self, func_name: str) -> None:
        # Two readers at once could not know which of them the next bytes are for.
        if self._waiter is not None:
            raise RuntimeError(
                f"{func_name}() called while another coroutine is already waiting for incoming data"
            )
        if self._writer and self._paused:  # else readexactly(n) over the limit would wait forever
            self._paused = False
            self._writer._resume_reading()
        self._waiter = get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def _take(self, n: int) -> bytes:
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        if self._writer and self._paused and len(self._buffer) <= self._limit:
            self._paused = False
            self._writer._resume_reading()
        return data

    async def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes, as soon as there are any; with ``n=-1``, everything until EOF."""
        if self._exception is not None:
            raise self._exception
        if n == 0:
            return b""
        if n < 0:  # in limit-sized blocks, so that a paused reader resumes as they are taken
            blocks = []
            while block := await self.read(self._limit):
                blocks.append(block)
            return b"".join(blocks)
        if not self._buffer and not self._eof:
            await self._wait_for_data("read")
        return self._take(n)

    async def readexactly(self, n: int) -> bytes:
        """Exactly ``n`` bytes; IncompleteReadError, holding what came, if EOF comes first."""
        if n < 0:
            raise ValueError("readexactly size can not be less than zero")
        if self._exception is not None:
            raise self._exception
        while len(self._buffer) < n:
            if self._eof:
                incomplete = self._take(len(self._buffer))
                raise IncompleteReadError(incomplete, n)
            await self._wait_for_data("readexactly")
        return self._take(n)

    async def readline(self) -> bytes:
        """One line, ending in ``b"\\n"`` unless EOF came first; ValueError if over the limit."""
        try:
            return await self.readuntil(b"\n")
        except IncompleteReadError as e:
            return e.partial
        except LimitOverrunError as e:
            # Drop the over-long line (what has come of it), so the next read starts afresh.
            found = self._buffer.startswith(b"\n", e.consumed)
            self._take(e.consumed + 1 if found else len(self._buffer))
            raise ValueError(e.args[0]) from None

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        """Everything up to and including ``separator``: IncompleteReadError at EOF without it,
        LimitOverrunError (the data stays in the buffer) if it is not within the limit."""
        if not separator:
            raise ValueError("Separator should be at least one-byte string")
        if self._exception is not None:
            raise self._exception
        offset = 0  # no separator starts before this: never search the same bytes twice
        while (found := self._buffer.find(separator, offset)) == -1:
            offset = max(0, len(self._buffer) + 1 - len(separator))
            if offset > self._limit:
                problem = "Separator is not found, and chunk exceed the limit"
                raise LimitOverrunError(problem, offset)
            if self._eof:
                raise IncompleteReadError(self._take(len(self._buffer)), None)
            await self._wait_for_data("readuntil")
        if found > self._limit:
            raise LimitOverrunError("Separator is found, but chunk is longer than limit", found)
        return self._take(found + len(separator))


class StreamWriter:
    """The sending side of a connection, and the owner of its socket (see the module docstring)."""

    def __init__(
        self,
        loop: SocketEventLoop,
        sock: socket.socket,
        reader: StreamReader,
        on_closed: Callable[[], object] | None = None,
    ) -> None:
        self._loop = loop
        self._sock = sock
        self._reader = reader
        self._on_closed = on_closed
        try:
            peername = sock.getpeername()
        except OSError:
            peername = None  # reset by the peer already
        self._extra = {"socket": sock, "sockname": sock.getsockname(), "peername": peername}
        self._buffer = bytearray()  # written, not yet taken by the kernel
        self._paused = False  # the buffer went over the high-water mark: drain() waits
        self._drainers: list[Future[None]] = []
        self._reading = False
        self._closing = False  # close() was called, or the connection failed
        self._closed: Future[None] = loop.create_future()  # done once the socket is closed
        self._handler: Task[Any] | None = None  # a server's task for this connection, kept alive
        reader._writer = self
        self._resume_reading()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """``"peername"``, ``"sockname"`` or ``"socket"`` (the socket itself, in tinyloop)."""
        return self._extra.get(name, default)

    def _try(self, call: Callable[[Any], Any], arg: Any) -> Any:
        """``call(arg)`` on the socket; None if it was not ready after all, or if it failed."""
        try:
            return call(arg)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError as exc:  # reset by the peer, say
            self._fail(exc)
            return None

    def _pause_reading(self) -> None:
        if self._reading:
            self._reading = False
            self._loop.remove_reader(self._sock)

    def _resume_reading(self) -> None:
        if not self._reading and not self._closing:
            self._reading = True
            self._loop.add_reader(self._sock, self._on_readable)

    def _on_readable(self) -> None:
        data = self._try(self._sock.recv, _MAX_RECV)
        if data:
            self._reader.feed_data(data)
        elif data == b"":  # the peer sends no more; our side stays open for writing (asyncio)
            self._pause_reading()
            self._reader.feed_eof()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Send what the socket takes now and buffer the rest; never waits (that is ``drain``)."""
        if not data or self._closing:
            return  # asyncio too drops what is written once the connection is closing or gone
        if not self._buffer:  # nothing queued before it: try to send at once
            sent = self._try(self._sock.send, data)
            if self._closing or sent == len(data):
                return
            data = memoryview(data)[sent or 0 :]
            self._loop.add_writer(self._sock, self._on_writable)
        self._buffer += data
        self._paused = self._paused or len(self._buffer) > _HIGH_WATER

    def writelines(self, data: Iterable[bytes]) -> None:
        self.write(b"".join(data))

    def _on_writable(self) -> None:
        sent = self._try(self._sock.send, self._buffer)
        if sent is None:
            return
        del self._buffer[:sent]
        if self._paused and len(self._buffer) <= _LOW_WATER:
            self._paused = False
            self._wake_drainers()
        if not self._buffer:
            self._loop.remove_writer(self._sock)
            if self._closing:
                self._loop.call_soon(self._connection_lost, None)

    async def drain(self) -> None:
        """If the buffer went over the high-water mark, wait until it is down to the low one."""
        if self._closing:
            await sleep(0)  # a failure already scheduled reaches the reader, to be raised below
        while True:
            exc = self._reader.exception()
            if exc is not None:
                raise exc
            if self._closed.done():
                raise ConnectionResetError("Connection lost")
            if not self._paused:
                return
            waiter: Future[None] = self._loop.create_future()
            self._drainers.append(waiter)
            await waiter

    def _wake_drainers(self) -> None:
        drainers, self._drainers = self._drainers, []
        for waiter in drainers:
            if not waiter.done():
                waiter.set_result(None)

    def close(self) -> None:
        """Stop reading; close the socket once the buffer is sent, in a later turn (as asyncio)."""
        if self._closing:
            return
        self._closing = True
        self._pause_reading()
        if not self._buffer:
            self._loop.call_soon(self._connection_lost, None)

    def is_closing(self) -> bool:
        return self._closing

    async def wait_closed(self) -> None:
        await self._closed

    def _fail(self, exc: OSError) -> None:
        """The connection failed: drop what is unsent; the streams hear of it in the next turn."""
        self._closing = True
        self._buffer.clear()
        self._loop.remove_writer(self._sock)
        self._pause_reading()
        self._loop.call_soon(self._connection_lost, exc)

    def _connection_lost(self, exc: OSError | None) -> None:
        if self._closed.done():
            return
        self._sock.close()  # registered no more: _pause_reading and remove_writer came first
        if exc is None:
            self._reader.feed_eof()
            self._closed.set_result(None)
        else:
            self._reader.set_exception(exc)
            self._closed.set_exception(exc)
            self._closed.exception()  # retrieved: read() and drain() raise it anyway
        self._wake_drainers()
        if self._on_closed is not None:
            self._on_closed()


class Server:
    """Listening sockets that hand each connection to ``client_connected_cb``.

    CPython: ``Server`` in ``base_events.py``; accepting is ``_accept_connection`` in
    ``selector_events.py``. ``wait_closed()`` waits for the connections too, as from 3.12.1."""

    def __init__(
        self,
        loop: SocketEventLoop,
        sockets: list[socket.socket],
        client_connected_cb: ClientConnected,
        limit: int,
        backlog: int,
    ) -> None:
        self._loop = loop
        self._sockets: list[socket.socket] | None = sockets  # None once closed
        self._client_connected_cb = client_connected_cb
        self._limit = limit
        self._backlog = backlog
        self._active = 0  # connections accepted and not closed yet
        self._waiters: list[Future[None]] | None = []  # in wait_closed(); None once woken
        self._serving_forever: Future[None] | None = None
        for sock in sockets:
            loop.add_reader(sock, self._accept, sock)

    def __repr__(self) -> str:
        return f"<Server sockets={self.sockets!r}>"

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return () if self._sockets is None else tuple(self._sockets)

    def is_serving(self) -> bool:
        return self._sockets is not None

    def _accept(self, listener: socket.socket) -> None:
        for _ in range(self._backlog):  # a bounded batch, so other callbacks get their turn
            try:
                conn, _ = listener.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return  # none left (or the client gave up before we got to it)
            except OSError as exc:  # out of file descriptors, say: pause a second, as asyncio
                context = {"message": "socket.accept() failed", "exception": exc}
                self._loop.call_exception_handler({**context, "socket": listener})
                self._loop.remove_reader(listener)
                self._loop.call_later(1.0, self._resume_accepting, listener)
                return
            conn.setblocking(False)
            self._serve(conn)

    def _resume_accepting(self, listener: socket.socket) -> None:
        if self._sockets is not None:
            self._loop.add_reader(listener, self._accept, listener)

    def _serve(self, conn: socket.socket) -> None:
        self._active += 1
        reader = StreamReader(self._limit)
        writer = StreamWriter(self._loop, conn, reader, on_closed=self._connection_closed)
        result = self._client_connected_cb(reader, writer)
        if iscoroutine(result):
            task: Task[Any] = self._loop.create_task(result)  # type: ignore[arg-type]
            task.add_done_callback(functools.partial(_handler_done, writer))
            writer._handler = task

    def _connection_closed(self) -> None:
        self._active -= 1
        if self._active == 0 and self._sockets is None:
            self._wake_waiters()

    def _wake_waiters(self) -> None:
        waiters, self._waiters = self._waiters or [], None
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def close(self) -> None:
        """Stop listening. The connections already accepted stay open."""
        sockets, self._sockets = self._sockets, None
        if sockets is None:
            return
        for sock in sockets:
            self._loop.remove_reader(sock)
            sock.close()
        if self._serving_forever is not None:
            self._serving_forever.cancel()
        if self._active == 0:
            self._wake_waiters()

    async def wait_closed(self) -> None:
        """Wait until the server is closed and so is every connection it accepted."""
        if self._waiters is None:
            return
        waiter: Future[None] = self._loop.create_future()
        self._waiters.append(waiter)
        await waiter

    async def serve_forever(self) -> None:
        """Wait until cancelled, then close the server (the connections go on)."""
        if self._serving_forever is not None:
            raise RuntimeError(f"server {self!r} is already being awaited on serve_forever()")
        if self._sockets is None:
            raise RuntimeError(f"server {self!r} is closed")
        self._serving_forever = self._loop.create_future()
        try:
            await self._serving_forever
        except CancelledError:
            self.close()
            await self.wait_closed()
            raise
        finally:
            self._serving_forever = None

    async def __aenter__(self) -> Server:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()
        await self.wait_closed()


def _handler_done(writer: StreamWriter, task: Task[Any]) -> None:
    # A handler that failed or was cancelled leaves its connection to nobody: close it (asyncio).
    if not task.cancelled() and task.exception() is None:
        return
    if not task.cancelled():
        context = {"message": "Unhandled exception in client_connected_cb"}
        task.get_loop().call_exception_handler({**context, "exception": task.exception()})
    writer.close()
