"""TLS: a protocol that decrypts between a socket transport and the application's protocol.

CPython: ``Lib/asyncio/sslproto.py`` (``SSLProtocol``, ``_SSLProtocolTransport``). The stack is
socket transport, then ``SSLProtocol``, then the application's protocol. TLS runs in the loop's
thread, on ``ssl.MemoryBIO``: no socket is handed to the ssl module. Bytes the socket transport
reads go into the incoming BIO; ``SSLObject.read`` turns them into plain text for the
application, or raises ``SSLWantReadError`` when a record is still incomplete. Whatever the
``SSLObject`` wants sent (handshake messages, encrypted records, alerts) appears in the outgoing
BIO, and is written to the socket transport, which buffers it as it would any bytes.

The states are asyncio's: handshake, wrapped (application data flows), then closed. Closing sends
our ``close_notify`` alert and closes the socket once it is sent. asyncio also waits, up to
``ssl_shutdown_timeout``, for the peer's ``close_notify``; TLS 1.2 and 1.3 allow the side that
closes not to wait (RFC 8446 section 6.1), and tinyloop does not.
"""

from __future__ import annotations

import contextlib
import ssl
from typing import Any

from tinyloop.futures import Future
from tinyloop.loop import logger
from tinyloop.transports import _MAX_RECV, Transport

_HANDSHAKE_TIMEOUT = 60.0  # asyncio's default for ssl_handshake_timeout, in seconds


class SSLProtocol:
    """The socket transport's protocol, and the TLS connection's state."""

    def __init__(
        self, loop: Any, app_protocol: Any, sslcontext: ssl.SSLContext | None,
        waiter: Future[None] | None, server_side: bool = False, server_hostname: str | None = None,
        handshake_timeout: float | None = None, call_connection_made: bool = True,
    ) -> None:  # fmt: skip
        if sslcontext is None:
            if server_side:
                raise ValueError("Server side SSL needs a valid SSLContext")
            sslcontext = ssl.create_default_context()  # verify the server, as asyncio does
        self._loop = loop
        self._app_protocol = app_protocol
        self._waiter = waiter  # create_connection's: done when the handshake is
        self._incoming, self._outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self._sslobj = sslcontext.wrap_bio(
            self._incoming, self._outgoing, server_side, server_hostname or None
        )
        self._extra: dict[str, Any] = {"sslcontext": sslcontext}
        self._timeout = _HANDSHAKE_TIMEOUT if handshake_timeout is None else handshake_timeout
        self._state = "handshake"  # then "wrapped", then "closed"
        # The application's connection_made has run (start_tls's protocol is connected
        # already), so its connection_lost is owed.
        self._app_connected = not call_connection_made
        self._app_eof = False  # the application's eof_received has run
        self._backlog: list[bytes] = []  # written by the application before the handshake ended
        self._transport: Any = None  # the socket transport under us
        self._timer: Any = None  # the handshake's timeout
        self.app_transport = SSLTransport(self)

    # -- called by the socket transport ---------------------------------------------------------

    def connection_made(self, transport: Any) -> None:
        self._transport = transport
        self._timer = self._loop.call_later(self._timeout, self._handshake_too_slow)
        self._do_handshake()

    def data_received(self, data: bytes) -> None:
        self._incoming.write(data)
        if self._state == "handshake":
            self._do_handshake()
        elif self._state == "wrapped":
            self._do_read()

    def eof_received(self) -> None:
        # A FIN without close_notify: the peer is gone. TLS cannot be half-closed.
        if self._state == "handshake":
            self._handshake_done(ConnectionResetError("Connection lost during the TLS handshake"))
        elif self._state == "wrapped":
            self._tell_app_eof()
        # None: the socket transport closes, and connection_lost follows.

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._state == "handshake":
            self._handshake_done(exc or ConnectionResetError("Connection lost"))
        self._state = "closed"
        if self._app_connected:
            self._app_protocol.connection_lost(exc)
        self._app_protocol = None

    def pause_writing(self) -> None:
        self._app_protocol.pause_writing()

    def resume_writing(self) -> None:
        self._app_protocol.resume_writing()

    # -- the handshake ----------------------------------------------------------------------------

    def _do_handshake(self) -> None:
        error: BaseException | None = None
        try:
            self._sslobj.do_handshake()
        except ssl.SSLWantReadError:
            self._flush()  # our part of the handshake so far; the peer's reply comes later
            return
        except (ssl.SSLError, ssl.CertificateError) as exc:
            error = exc  # the flush sends the alert that tells the peer why
        self._flush()
        self._handshake_done(error)

    def _handshake_too_slow(self) -> None:
        if self._state == "handshake":
            message = f"SSL handshake is taking longer than {self._timeout} seconds"
            self._transport.abort()
            self._handshake_done(ConnectionAbortedError(f"{message}: aborting the connection"))

    def _handshake_done(self, exc: BaseException | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        waiter, self._waiter = self._waiter, None
        if exc is not None:
            self._state = "closed"
            if self._loop.get_debug():
                logger.debug("%r: SSL handshake failed", self, exc_info=exc)
            self._transport.close()
            if waiter is not None and not waiter.done():
                waiter.set_exception(exc)
            return
        self._state = "wrapped"
        self._extra.update(
            peercert=self._sslobj.getpeercert(),
            cipher=self._sslobj.cipher(),
            compression=self._sslobj.compression(),
            ssl_object=self._sslobj,
        )
        if not self._app_connected:
            self._app_connected = True
            self._app_protocol.connection_made(self.app_transport)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        backlog, self._backlog = self._backlog, []
        for data in backlog:
            self._write(data)
        self._do_read()  # application data may have come with the handshake's last message

    # -- application data -------------------------------------------------------------------------

    def _do_read(self) -> None:
        while self._state == "wrapped":
            try:
                chunk = self._sslobj.read(_MAX_RECV)
            except ssl.SSLWantReadError:
                break  # the rest of a record is still on its way
            except ssl.SSLZeroReturnError:
                chunk = b""
            except ssl.SSLError as exc:
                self._transport._fatal_error(exc, "Fatal error on SSL protocol")
                break
            if not chunk:  # the peer's close_notify: read() returns b"" then, as at EOF
                self._tell_app_eof()
                self._close()  # and ours in answer
                break
            self._deliver(chunk)
        self._flush()  # reading can make the SSLObject want to send (a key update, say)

    def _deliver(self, chunk: bytes) -> None:
        protocol = self._app_protocol
        if not hasattr(protocol, "get_buffer"):
            protocol.data_received(chunk)
            return
        view = memoryview(chunk)
        while view:  # a BufferedProtocol's buffer may be smaller than the chunk
            buf = memoryview(protocol.get_buffer(len(view))).cast("B")
            n = min(len(buf), len(view))
            buf[:n] = view[:n]
            protocol.buffer_updated(n)
            view = view[n:]

    def _tell_app_eof(self) -> None:
        if self._app_eof:
            return
        self._app_eof = True
        if self._app_protocol.eof_received():
            logger.warning("returning true from eof_received() has no effect when using ssl")

    def _write(self, data: Any) -> None:
        if self._state == "handshake":
            self._backlog.append(bytes(data))
        elif self._state == "wrapped":
            self._sslobj.write(data)  # into the outgoing BIO, which takes everything
            self._flush()

    def _flush(self) -> None:
        if self._outgoing.pending and not self._transport.is_closing():
            self._transport.write(self._outgoing.read())

    def _close(self) -> None:
        """Send close_notify, then close the socket once everything before it is sent."""
        if self._state == "wrapped":
            self._state = "closed"
            # SSLWantReadError: the peer's close_notify has not come, and we do not wait for it.
            with contextlib.suppress(ssl.SSLError):
                self._sslobj.unwrap()
            self._flush()
        self._transport.close()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        if name in self._extra:
            return self._extra[name]
        return self._transport.get_extra_info(name, default)


class SSLTransport(Transport):
    """What the application's protocol writes to: plain text in, TLS records out.

    CPython: ``_SSLProtocolTransport`` in ``sslproto.py``. Buffering and flow control are the
    socket transport's: its buffer holds the encrypted bytes, and its pause_writing reaches the
    application's protocol through ``SSLProtocol``. (asyncio's TLS layer keeps a plain-text
    buffer of its own as well.)"""

    def __init__(self, ssl_protocol: SSLProtocol) -> None:
        super().__init__()
        self._ssl = ssl_protocol
        self._closing = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._ssl.get_extra_info(name, default)

    def set_protocol(self, protocol: Any) -> None:
        self._ssl._app_protocol = protocol

    def get_protocol(self) -> Any:
        return self._ssl._app_protocol

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            self._ssl._close()

    def abort(self) -> None:
        self._closing = True
        self._ssl._transport.abort()

    def write(self, data: Any) -> None:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"data: expecting a bytes-like instance, got {type(data).__name__}")
        if data:
            self._ssl._write(data)

    def write_eof(self) -> None:
        raise NotImplementedError("SSL doesn't support half-closes")

    def can_write_eof(self) -> bool:
        return False

    def is_reading(self) -> bool:
        return bool(self._ssl._transport.is_reading())

    def pause_reading(self) -> None:
        self._ssl._transport.pause_reading()

    def resume_reading(self) -> None:
        self._ssl._transport.resume_reading()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._ssl._transport.set_write_buffer_limits(high, low)

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._ssl._transport.get_write_buffer_limits()  # type: ignore[no-any-return]

    def get_write_buffer_size(self) -> int:
        return int(self._ssl._transport.get_write_buffer_size())
