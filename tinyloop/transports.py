"""Transports: the loop's side of a connection, which reads, buffers writes and closes.

CPython: ``Lib/asyncio/transports.py`` (the write-buffer limits of ``_FlowControlMixin``) and
``Lib/asyncio/selector_events.py`` (``_SelectorTransport`` and its subclasses). The abstract
classes (``BaseTransport``, ``Transport``, ``DatagramTransport``…) are asyncio's own, an
interface, as the exception classes are: so ``isinstance(t, asyncio.Transport)`` holds for a
tinyloop transport, whichever module a program imported. So is ``trsock.TransportSocket``, the
guard around the socket that ``get_extra_info("socket")`` and ``Server.sockets`` hand out.

A transport owns one socket. It registers a reader callback with the selector. When the selector
wait (phase 3 of a turn) reports the socket readable, the callback joins the ready callbacks, and
in phase 5 it reads once and hands the bytes to ``protocol.data_received``. Writing never waits:
``write`` sends what the kernel takes now and keeps the rest in a buffer, which a writer callback
sends whenever the socket is writable. The protocol hears that the buffer is over its high-water
mark (``pause_writing``) and back down to its low-water mark (``resume_writing``). Nothing here is
a coroutine; streams turn these callbacks into ``await``.
"""

from __future__ import annotations

import collections
import contextvars
import socket
import sys
import warnings

# asyncio's interface classes: each method says what a transport offers, and raises
# NotImplementedError until a subclass provides it.
from asyncio.transports import (
    BaseTransport,
    DatagramTransport,
    ReadTransport,
    SubprocessTransport,
    Transport,
    WriteTransport,
)
from asyncio.trsock import TransportSocket  # the guard around a transport's socket
from typing import Any

from tinyloop.futures import Future
from tinyloop.loop import logger
from tinyloop.tasks import _set_result_unless_cancelled

__all__ = [
    "BaseTransport",
    "DatagramTransport",
    "ReadTransport",
    "SubprocessTransport",
    "Transport",
    "WriteTransport",
]

# asyncio's largest single read, of a socket, a pipe or TLS records: big reads, few callbacks.
_MAX_RECV = 256 * 1024
_HIGH_WATER = 64 * 1024  # asyncio's default high-water mark
_WARN_AFTER_LOST = 5  # writes after the connection is lost before asyncio warns
_GET_BUFFER_FAILED = "Fatal error: protocol.get_buffer() call failed."
# asyncio's words. A stream's write() says it differently in 3.14 (and in the 3.13 releases that
# took the fix for gh-138703); a datagram's sendto() does not.
_NOT_BYTES = "data argument must be a bytes-like object"
_NOT_BYTES_STREAM = (
    "data argument must be a bytes, bytearray, or memoryview object"
    if sys.version_info >= (3, 14)
    else _NOT_BYTES
)


class FlowControl(WriteTransport):
    """The water marks, and telling the protocol when the buffer crosses them.

    CPython: ``_FlowControlMixin`` in ``transports.py``. A subclass keeps ``_loop`` and
    ``_protocol`` and says how big its buffer is (``get_write_buffer_size``)."""

    _loop: Any
    _protocol: Any
    _high = _HIGH_WATER
    _low = _HIGH_WATER // 4
    _protocol_paused = False  # pause_writing() was called, resume_writing() not yet

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        if high is None:
            high = _HIGH_WATER if low is None else 4 * low
        if low is None:
            low = high // 4
        if not high >= low >= 0:
            raise ValueError(f"high ({high!r}) must be >= low ({low!r}) must be >= 0")
        self._high, self._low = high, low
        self._maybe_pause_protocol()

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._low, self._high

    def _maybe_pause_protocol(self) -> None:
        if self.get_write_buffer_size() > self._high and not self._protocol_paused:
            self._protocol_paused = True
            self._tell_protocol("pause_writing")

    def _maybe_resume_protocol(self) -> None:
        if self._protocol_paused and self.get_write_buffer_size() <= self._low:
            self._protocol_paused = False
            self._tell_protocol("resume_writing")

    def _tell_protocol(self, method: str) -> None:
        # A protocol's bug must not break the transport: report it and go on writing.
        try:
            getattr(self._protocol, method)()
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            context = {"message": f"protocol.{method}() failed", "exception": exc}
            self._loop.call_exception_handler(
                {**context, "transport": self, "protocol": self._protocol}
            )


class SelectorTransport(FlowControl, Transport):
    """What a transport over one file descriptor shares: its start, its protocol, closing.

    CPython: ``_SelectorTransport`` in ``selector_events.py``; the pipe transports of
    ``unix_events.py`` are built on it too. Who calls what, and when: the selector reports the
    file (phase 3 of a turn), the loop runs the transport's ``_read_ready`` among the ready
    callbacks (phase 5), and that calls the protocol. ``connection_lost`` is always called in a
    later turn than the one that closed the transport, so a protocol never sees it while still
    inside a call of its own."""

    _buffer: Any  # written and not yet taken by the kernel
    _paused = False  # pause_reading() was called

    def __init__(
        self, loop: Any, file: Any, protocol: Any, waiter: Future[None] | None,
        extra: dict[str, Any], server: Any = None,
    ) -> None:  # fmt: skip
        super().__init__(extra)
        self._loop, self._file, self._protocol = loop, file, protocol  # _file: None once closed
        self._protocol_connected = False  # connection_made has run: connection_lost may follow
        self._server = server  # a server's wait_closed() waits for this transport
        self._conn_lost = 0  # >0: closing for good; counts the writes made after that
        self._closing = False
        if server is not None:
            server._attach(self)
        # From 3.15 every callback of a connection runs in one context, a copy of its creator's;
        # before, each ran in a copy made when it was scheduled (None: call_soon's default).
        self._context = contextvars.copy_context() if sys.version_info >= (3, 15) else None
        # Three steps in three callbacks, in this order, as asyncio: the protocol knows its
        # transport before any data arrives, and whoever awaits the waiter comes after both.
        loop.call_soon(self._connection_made, context=self._context)
        loop.call_soon(self._start_reading, context=self._context)
        if waiter is not None:
            loop.call_soon(_set_result_unless_cancelled, waiter, None)

    def __repr__(self) -> str:
        state = "closed" if self._file is None else "closing" if self._closing else "open"
        fd = -1 if self._file is None else self._file.fileno()
        return f"<{type(self).__name__} fd={fd} {state}>"

    def __del__(self, _warn: Any = warnings.warn) -> None:
        if getattr(self, "_file", None) is not None:
            _warn(f"unclosed transport {self!r}", ResourceWarning, source=self)
            self._file.close()
            if self._server is not None:
                self._server._detach(self)

    def _connection_made(self) -> None:
        self._protocol.connection_made(self)
        self._protocol_connected = True

    def _start_reading(self) -> None:
        if not self._closing and not self._paused and self._file is not None:
            self._loop.add_reader(self._file, self._read_ready)

    def _read_ready(self) -> None:
        raise NotImplementedError

    def is_reading(self) -> bool:
        return not self._paused and not self._closing

    def pause_reading(self) -> None:
        """Stop reading: the peer's data waits in the kernel, then in the peer's buffer."""
        if self._closing or self._paused:
            return
        self._paused = True
        self._loop.remove_reader(self._file)

    def resume_reading(self) -> None:
        if self._closing or not self._paused:
            return
        self._paused = False
        self._start_reading()

    def get_protocol(self) -> Any:
        return self._protocol

    def set_protocol(self, protocol: Any) -> None:
        self._protocol = protocol
        self._protocol_connected = True

    def is_closing(self) -> bool:
        return self._closing

    def get_write_buffer_size(self) -> int:
        return len(self._buffer)

    def _call(self, method: str, *args: Any) -> Any:
        """The protocol's ``method(*args)``; if it raises, a fatal error (in asyncio's words)
        and the transport closes. Returns what the method returned, or None."""
        try:
            return getattr(self._protocol, method)(*args)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, f"Fatal error: protocol.{method}() call failed.")
            return None

    def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        self._loop.remove_reader(self._file)
        if not self._buffer:  # else the writer callback calls connection_lost once it is sent
            self._force_close(None)

    def abort(self) -> None:
        self._force_close(None)

    def _drop_after_loss(self, warning: str) -> None:
        # A write after the connection is lost goes nowhere; asyncio warns from the fifth on.
        if self._conn_lost >= _WARN_AFTER_LOST:
            logger.warning(warning)
        self._conn_lost += 1

    def _fatal_error(self, exc: BaseException, message: str) -> None:
        # A reset or a refused write is the network's doing, not a bug: asyncio logs it only
        # in debug mode. Anything else is reported to the exception handler.
        if isinstance(exc, OSError):
            if self._loop.get_debug():
                logger.debug("%r: %s", self, message, exc_info=True)
        else:
            context = {"message": message, "exception": exc, "protocol": self._protocol}
            self._loop.call_exception_handler({**context, "transport": self})
        self._force_close(exc)

    def _force_close(self, exc: BaseException | None) -> None:
        if self._conn_lost:
            return
        if self._buffer:
            self._buffer.clear()
            self._loop.remove_writer(self._file)
        if not self._closing:
            self._closing = True
            self._loop.remove_reader(self._file)
        self._conn_lost += 1
        self._loop.call_soon(self._call_connection_lost, exc, context=self._context)

    def _call_connection_lost(self, exc: BaseException | None) -> None:
        if self._file is None:
            return
        try:
            if self._protocol_connected:
                self._protocol.connection_lost(exc)
        finally:
            self._file.close()
            self._file = None
            if self._server is not None:
                self._server._detach(self)
                self._server = None


class BufferedWrites(SelectorTransport):
    """``write`` for a stream: send what the kernel takes now, buffer the rest for the writer
    callback. A subclass says how to send (``_send``) and how to end its side (``_end``)."""

    _eof = False  # write_eof() was called

    def _send(self, data: Any) -> int:
        raise NotImplementedError

    def _end(self) -> None:
        raise NotImplementedError

    def write(self, data: Any) -> None:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"{_NOT_BYTES_STREAM}, not {type(data).__name__!r}")
        if self._eof:
            raise RuntimeError("Cannot call write() after write_eof()")
        if not data:
            return
        if self._conn_lost:
            self._drop_after_loss("socket.send() raised exception.")
            return
        if not self._buffer:  # nothing queued ahead of it: try at once, as asyncio
            sent = self._try_send(data)
            if sent is None:
                return
            data = memoryview(data).cast("B")[sent:]
            if not data:
                return
            self._loop.add_writer(self._file, self._write_ready)
        self._buffer += data
        self._maybe_pause_protocol()

    def _write_ready(self) -> None:
        if self._conn_lost:
            return
        sent = self._try_send(self._buffer)
        if not sent:
            return  # the kernel took nothing after all (0), or the transport failed (None)
        del self._buffer[:sent]
        self._maybe_resume_protocol()
        if self._buffer:
            return
        self._loop.remove_writer(self._file)
        if self._closing:  # close() waited for the buffer to empty
            self._call_connection_lost(None)
        elif self._eof:  # so did write_eof()
            self._end()

    def _try_send(self, data: Any) -> int | None:
        """Send what the kernel takes now: how many bytes (0 if it takes none), or None after a
        fatal error, which closes the transport."""
        try:
            return self._send(data)
        except (BlockingIOError, InterruptedError):
            return 0
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, f"Fatal write error on {self._kind} transport")
            return None

    def write_eof(self) -> None:
        """End our side once the buffer is sent: the peer reads EOF."""
        if self._closing or self._eof:
            return
        self._eof = True
        if not self._buffer:
            self._end()

    def can_write_eof(self) -> bool:
        return True

    _kind = "socket"  # for the messages: asyncio's words


class SocketTransport(BufferedWrites, Transport):
    """A connected stream socket (TCP or Unix). CPython: ``_SelectorSocketTransport``.

    Reading: one ``recv`` of up to 256 KiB per callback, handed to ``data_received``; or, for a
    ``BufferedProtocol``, ``recv_into`` the protocol's own buffer. At EOF the protocol's
    ``eof_received`` decides: a true value keeps our side open for writing."""

    def __init__(
        self, loop: Any, sock: socket.socket, protocol: Any, waiter: Future[None] | None = None,
        extra: dict[str, Any] | None = None, server: Any = None,
    ) -> None:  # fmt: skip
        self._buffer = bytearray()
        self._sock = sock
        sock.setblocking(False)  # a transport's calls must never block the loop
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
            # Small writes go out at once instead of waiting for an ACK (Nagle): asyncio too.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        info = {**(extra or {}), **_addresses(sock)}
        super().__init__(loop, sock, protocol, waiter, info, server)

    def _read_ready(self) -> None:
        if self._conn_lost:
            return  # closed in this same turn, after the selector reported the socket
        buffered = hasattr(self._protocol, "get_buffer")
        if buffered:
            buf = self._call("get_buffer", -1)
            if buf is not None and not len(buf):
                self._fatal_error(
                    RuntimeError("get_buffer() returned an empty buffer"), _GET_BUFFER_FAILED
                )
            if not buf:
                return
        try:
            data = self._sock.recv_into(buf) if buffered else self._sock.recv(_MAX_RECV)
        except (BlockingIOError, InterruptedError):
            return
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, "Fatal read error on socket transport")
            return
        if not data:
            keep_open = self._call("eof_received")
            if self._conn_lost:
                return
            if keep_open:  # half-closed: the peer sends no more, we may still write
                self._loop.remove_reader(self._file)
            else:
                self.close()
        elif buffered:
            self._call("buffer_updated", data)
        else:
            self._call("data_received", data)

    def _send(self, data: Any) -> int:
        return self._sock.send(data)

    def _end(self) -> None:
        self._sock.shutdown(socket.SHUT_WR)  # FIN: the peer reads EOF, and can still write


class DatagramSocketTransport(SelectorTransport, DatagramTransport):
    """A UDP (or Unix datagram) socket. CPython: ``_SelectorDatagramTransport``.

    Each read is one whole datagram, handed to ``datagram_received(data, addr)``. A datagram
    the kernel cannot take now waits in a queue, sent in order when the socket is writable. A
    send or receive error (an ICMP "port unreachable", say) goes to ``error_received``: the
    endpoint stays open, as UDP has no connection to lose."""

    def __init__(
        self, loop: Any, sock: socket.socket, protocol: Any, waiter: Future[None] | None = None,
        address: Any = None,
    ) -> None:  # fmt: skip
        self._buffer: collections.deque[tuple[bytes, Any]] = collections.deque()
        self._buffer_size = 0
        self._sock = sock
        sock.setblocking(False)  # a transport's calls must never block the loop
        self._address = address  # the peer's, if connected: sendto() may go nowhere else
        super().__init__(loop, sock, protocol, waiter, _addresses(sock))

    def get_write_buffer_size(self) -> int:
        return self._buffer_size

    def _read_ready(self) -> None:
        if self._conn_lost:
            return
        try:
            data, addr = self._sock.recvfrom(_MAX_RECV)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._protocol.error_received(exc)
            return
        self._protocol.datagram_received(data, addr)

    def sendto(self, data: Any, addr: Any = None) -> None:
        """Send one datagram to ``addr`` (or to the connected peer)."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"{_NOT_BYTES}, not {type(data).__name__!r}")
        if self._address is not None and addr not in (None, self._address):
            raise ValueError(f"Invalid address: must be None or {self._address}")
        if self._conn_lost and self._address is not None:  # asyncio's rule: connected only
            self._drop_after_loss("socket.send() raised exception.")
            return
        if not self._buffer:  # nothing queued ahead of it: try at once, as asyncio
            if self._send(data, addr):
                return
            self._loop.add_writer(self._sock, self._write_ready)
        self._buffer.append((bytes(data), addr))
        self._buffer_size += len(data)
        self._maybe_pause_protocol()

    def _send(self, data: Any, addr: Any) -> bool:
        """Send one datagram; False if the kernel cannot take it now. An error goes to
        ``error_received``, and the datagram counts as sent: UDP would have lost it anyway."""
        try:
            if self.get_extra_info("peername") is not None:
                self._sock.send(data)
            else:
                self._sock.sendto(data, addr)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError as exc:
            self._protocol.error_received(exc)
        return True

    def _write_ready(self) -> None:
        while self._buffer:
            data, addr = self._buffer[0]
            if not self._send(data, addr):
                return  # still full: the writer callback stays registered
            self._buffer.popleft()
            self._buffer_size -= len(data)
        self._maybe_resume_protocol()
        self._loop.remove_writer(self._sock)
        if self._closing:
            self._call_connection_lost(None)

    def _force_close(self, exc: BaseException | None) -> None:
        self._buffer_size = 0
        super()._force_close(exc)


def _addresses(sock: socket.socket) -> dict[str, Any]:
    # A program gets the socket wrapped, as asyncio hands it out: it may read and set options,
    # but a setblocking(True) or settimeout() would break the transport, so the wrapper refuses.
    extra: dict[str, Any] = {"socket": TransportSocket(sock), "sockname": sock.getsockname()}
    try:
        extra["peername"] = sock.getpeername()
    except OSError:
        extra["peername"] = None  # not connected, or reset by the peer already
    return extra
