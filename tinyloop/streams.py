"""Streams: ``open_connection``, ``start_server``, and the reader and writer they hand out.

CPython: ``Lib/asyncio/streams.py``. As in asyncio, streams are the top of a stack of three: a
socket transport (``transports.py``) reads in a selector callback and calls its protocol; the
protocol here, ``StreamReaderProtocol``, feeds what arrives to a ``StreamReader``; and coroutines
await the reader. A ``StreamWriter`` is a thin wrapper of the transport, plus ``drain()``.

Flow control works both ways. A reader holding more than twice its limit pauses the transport's
reading, so a fast peer's data backs up in the kernel and, in the end, in the peer's own buffer.
A transport whose write buffer went over the high-water mark calls ``pause_writing``, and
``drain()`` waits until ``resume_writing``: that is where a fast writer waits for a slow reader.
"""

from __future__ import annotations

import collections
import functools
import weakref
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from tinyloop.coroutines import iscoroutine
from tinyloop.exceptions import IncompleteReadError, LimitOverrunError
from tinyloop.futures import Future
from tinyloop.locks import _wait_in_line
from tinyloop.protocols import Protocol
from tinyloop.running import get_running_loop
from tinyloop.tasks import sleep

if TYPE_CHECKING:
    from tinyloop.connections import ConnectionEventLoop

__all__ = [
    "IncompleteReadError",
    "LimitOverrunError",
    "StreamReader",
    "StreamReaderProtocol",
    "StreamWriter",
    "open_connection",
    "open_unix_connection",
    "start_server",
    "start_unix_server",
]

_LIMIT = 2**16  # asyncio's: the longest line readline() accepts, and half the reader's buffer

ClientConnected = Callable[["StreamReader", "StreamWriter"], Awaitable[None] | None]


async def open_connection(
    host: Any = None, port: Any = None, *, limit: int = _LIMIT, **kwds: Any
) -> tuple[StreamReader, StreamWriter]:
    """Connect (``loop.create_connection``, which takes ``ssl=`` and the rest in ``kwds``)."""
    return await _open(_connection_loop().create_connection, limit, host, port, **kwds)


async def open_unix_connection(
    path: Any = None, *, limit: int = _LIMIT, **kwds: Any
) -> tuple[StreamReader, StreamWriter]:
    """``open_connection`` for a Unix socket."""
    return await _open(_connection_loop().create_unix_connection, limit, path, **kwds)


async def _open(
    connect: Callable[..., Awaitable[tuple[Any, Any]]], limit: int, *address: Any, **kwds: Any
) -> tuple[StreamReader, StreamWriter]:
    """A reader and a writer on the connection that ``connect`` makes to ``address``."""
    reader = StreamReader(limit)
    protocol = StreamReaderProtocol(reader)
    transport, _ = await connect(lambda: protocol, *address, **kwds)
    return reader, StreamWriter(transport, protocol, reader, protocol._loop)


async def start_server(
    client_connected_cb: ClientConnected, host: Any = None, port: Any = None, *,
    limit: int = _LIMIT, **kwds: Any,
) -> Any:  # fmt: skip
    """Listen (``loop.create_server``); for each connection call ``client_connected_cb(reader,
    writer)``, in a task of its own if it is a coroutine function."""
    factory = functools.partial(_server_protocol, limit, client_connected_cb)
    return await _connection_loop().create_server(factory, host, port, **kwds)


async def start_unix_server(
    client_connected_cb: ClientConnected, path: Any = None, *, limit: int = _LIMIT, **kwds: Any
) -> Any:
    """``start_server`` on a Unix socket."""
    factory = functools.partial(_server_protocol, limit, client_connected_cb)
    return await _connection_loop().create_unix_server(factory, path, **kwds)


def _server_protocol(limit: int, client_connected_cb: ClientConnected) -> StreamReaderProtocol:
    return StreamReaderProtocol(StreamReader(limit), client_connected_cb)


def _connection_loop() -> ConnectionEventLoop:
    return cast("ConnectionEventLoop", get_running_loop())  # the loop of create_connection


class FlowControlMixin(Protocol):
    """What makes ``drain()`` wait: the transport's ``pause_writing`` and ``resume_writing``.

    CPython: ``FlowControlMixin`` in ``streams.py``; the protocols of streams and of
    ``asyncio.subprocess`` are built on it."""

    def __init__(self, loop: Any = None) -> None:
        self._loop = _connection_loop() if loop is None else loop
        self._paused = False  # the transport's write buffer is over its high-water mark
        self._drain_waiters: collections.deque[Future[None]] = collections.deque()
        self._connection_lost = False

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        self._wake_drainers(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self._connection_lost = True
        self._wake_drainers(exc)

    def _wake_drainers(self, exc: Exception | None) -> None:
        for waiter in self._drain_waiters:
            _set_outcome(waiter, exc)

    async def _drain_helper(self) -> None:
        if self._connection_lost:
            raise ConnectionResetError("Connection lost")
        if self._paused:
            await _wait_in_line(self._drain_waiters, self._loop.create_future())

    def _get_close_waiter(self, stream: StreamWriter) -> Future[None]:
        raise NotImplementedError


class StreamReaderProtocol(FlowControlMixin):
    """The protocol under a stream: it feeds the reader, and makes ``drain()`` wait.

    CPython: ``StreamReaderProtocol`` in ``streams.py``. A server's protocol also makes the
    writer and starts ``client_connected_cb`` in ``connection_made``."""

    def __init__(
        self,
        stream_reader: StreamReader,
        client_connected_cb: ClientConnected | None = None,
        loop: Any = None,
    ) -> None:
        super().__init__(loop)
        # A weak reference, as asyncio's: a reader nobody reads from any more can be collected.
        self._reader_ref = weakref.ref(stream_reader)
        # A server's reader has no other owner until connection_made hands it to the callback.
        self._strong_reader: StreamReader | None = stream_reader if client_connected_cb else None
        self._client_connected_cb = client_connected_cb
        self._transport: Any = None
        self._task: Any = None  # the server's client_connected_cb task, kept alive
        self._over_ssl = False
        self._closed: Future[None] = self._loop.create_future()  # done at connection_lost

    @property
    def _stream_reader(self) -> StreamReader | None:
        return self._reader_ref()

    def connection_made(self, transport: Any) -> None:
        self._transport = transport
        reader = self._stream_reader
        if reader is not None:
            reader.set_transport(transport)
        self._over_ssl = transport.get_extra_info("sslcontext") is not None
        if self._client_connected_cb is None:
            return
        writer = StreamWriter(transport, self, reader, self._loop)
        result = self._client_connected_cb(reader, writer)  # type: ignore[arg-type]
        if iscoroutine(result):
            self._task = self._loop.create_task(result)  # type: ignore[arg-type]
            self._task.add_done_callback(self._handler_done)
        self._strong_reader = None

    def _handler_done(self, task: Any) -> None:
        # A handler that failed or was cancelled leaves its connection to nobody: close it.
        if task.cancelled():
            self._transport.close()
        elif (exc := task.exception()) is not None:
            context = {"message": "Unhandled exception in client_connected_cb", "exception": exc}
            self._loop.call_exception_handler({**context, "transport": self._transport})
            self._transport.close()

    def data_received(self, data: bytes) -> None:
        reader = self._stream_reader
        if reader is not None:
            reader.feed_data(data)

    def eof_received(self) -> bool:
        reader = self._stream_reader
        if reader is not None:
            reader.feed_eof()
        # True keeps our side open for writing. TLS cannot be half-closed (asyncio).
        return not self._over_ssl

    def connection_lost(self, exc: Exception | None) -> None:
        reader = self._stream_reader
        if reader is not None:
            if exc is None:
                reader.feed_eof()
            else:
                reader.set_exception(exc)
        _set_outcome(self._closed, exc)
        super().connection_lost(exc)
        self._task = None
        self._transport = None

    def _get_close_waiter(self, stream: StreamWriter) -> Future[None]:
        return self._closed


def _set_outcome(future: Future[None] | None, exc: BaseException | None) -> None:
    """Wake whoever awaits ``future`` (if any, and not cancelled): with ``exc``, if not None."""
    if future is None or future.done():
        return
    if exc is None:
        future.set_result(None)
    else:
        future.set_exception(exc)
        future.exception()  # retrieved: read() and drain() raise it anyway


class StreamReader:
    """The bytes that have arrived and not been read yet, and the coroutines that read them."""

    def __init__(self, limit: int = _LIMIT, loop: Any = None) -> None:
        if limit <= 0:
            raise ValueError("Limit cannot be <= 0")
        self._limit = limit
        self._buffer = bytearray()
        self._eof = False
        self._exception: BaseException | None = None
        self._waiter: Future[None] | None = None  # the one read waiting for data
        self._transport: Any = None  # paused while the buffer holds over twice the limit
        self._paused = False  # reading paused: the buffer holds over twice the limit

    def exception(self) -> BaseException | None:
        return self._exception

    def set_exception(self, exc: BaseException) -> None:
        self._exception = exc
        self._wake_waiter(exc)

    def set_transport(self, transport: Any) -> None:
        if self._transport is not None:
            raise RuntimeError("Transport already set")
        self._transport = transport

    def feed_data(self, data: bytes) -> None:
        if not data:
            return
        self._buffer += data
        self._wake_waiter()
        if self._transport is not None and not self._paused and len(self._buffer) > 2 * self._limit:
            try:
                self._transport.pause_reading()
            except NotImplementedError:
                self._transport = None  # a transport that cannot pause: keep every byte (asyncio)
            else:
                self._paused = True

    def feed_eof(self) -> None:
        self._eof = True
        self._wake_waiter()

    def at_eof(self) -> bool:
        """True once the peer has closed its side and everything it sent has been read."""
        return self._eof and not self._buffer

    def _wake_waiter(self, exc: BaseException | None = None) -> None:
        waiter, self._waiter = self._waiter, None
        _set_outcome(waiter, exc)

    async def _wait_for_data(self, func_name: str) -> None:
        # Two readers at once could not know which of them the next bytes are for.
        if self._waiter is not None:
            raise RuntimeError(
                f"{func_name}() called while another coroutine is already waiting for incoming data"
            )
        if self._paused:  # else readexactly(n) over the limit would wait forever
            self._paused = False
            self._transport.resume_reading()
        self._waiter = get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def _take(self, n: int) -> bytes:
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        if self._paused and len(self._buffer) <= self._limit:
            self._paused = False
            self._transport.resume_reading()
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
                raise IncompleteReadError(self._take(len(self._buffer)), n)
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

    def __aiter__(self) -> StreamReader:
        return self

    async def __anext__(self) -> bytes:
        """``async for line in reader``: one line at a time, until EOF."""
        line = await self.readline()
        if line == b"":
            raise StopAsyncIteration
        return line


class StreamWriter:
    """The sending side of a connection: the transport's writing calls, and ``drain()``."""

    def __init__(
        self, transport: Any, protocol: FlowControlMixin, reader: StreamReader | None, loop: Any
    ) -> None:
        self._transport = transport
        self._protocol = protocol
        self._reader = reader
        self._loop = loop

    def __repr__(self) -> str:
        return f"<{type(self).__name__} transport={self._transport!r}>"

    @property
    def transport(self) -> Any:
        return self._transport

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """``"peername"``, ``"sockname"``, ``"socket"``, … (``BaseTransport.get_extra_info``)."""
        return self._transport.get_extra_info(name, default)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Send what the socket takes now and buffer the rest; never waits (that is ``drain``)."""
        self._transport.write(data)

    def writelines(self, data: Iterable[bytes]) -> None:
        self._transport.writelines(data)

    def write_eof(self) -> None:
        """Half-close: the peer reads EOF once the buffer is sent; we can still read."""
        self._transport.write_eof()

    def can_write_eof(self) -> bool:
        return bool(self._transport.can_write_eof())

    async def drain(self) -> None:
        """If the buffer went over the high-water mark, wait until it is down to the low one."""
        if self._reader is not None and (exc := self._reader.exception()) is not None:
            raise exc
        if self._transport.is_closing():
            # One turn, so that a connection_lost already scheduled has run: then a writer
            # that loops on write() and drain() sees the connection fail instead of spinning.
            await sleep(0)
        await self._protocol._drain_helper()

    def close(self) -> None:
        """Stop reading; close the socket once the buffer is sent, in a later turn (as asyncio)."""
        self._transport.close()

    def is_closing(self) -> bool:
        return bool(self._transport.is_closing())

    async def wait_closed(self) -> None:
        await self._protocol._get_close_waiter(self)

    async def start_tls(
        self, sslcontext: Any, *, server_hostname: str | None = None,
        ssl_handshake_timeout: float | None = None, ssl_shutdown_timeout: float | None = None,
    ) -> None:  # fmt: skip
        """Upgrade the connection to TLS (``loop.start_tls``); the reader reads plain text on."""
        protocol = cast(StreamReaderProtocol, self._protocol)
        await self.drain()
        self._transport = await self._loop.start_tls(
            self._transport, protocol, sslcontext, server_hostname=server_hostname,
            server_side=protocol._client_connected_cb is not None,
            ssl_handshake_timeout=ssl_handshake_timeout, ssl_shutdown_timeout=ssl_shutdown_timeout,
        )  # fmt: skip
        protocol._transport = self._transport
        protocol._over_ssl = True
