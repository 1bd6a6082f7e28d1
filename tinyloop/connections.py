"""Connections: ``create_connection``, ``create_server`` and the ``Server`` they return.

CPython: the connection half of ``Lib/asyncio/base_events.py`` (``create_connection``,
``create_server``, ``Server``), with ``_accept_connection`` and the Unix-socket calls of
``selector_events.py`` and ``unix_events.py``. ``loop.py`` is the other half of base_events.py.

Each call ends in a transport (``transports.py``) joined to a protocol made by the caller's
``protocol_factory``. Connecting tries the addresses a name resolves to one after another, as
asyncio does without ``happy_eyeballs_delay``; with it, asyncio races them (RFC 8305), and tinyloop
still tries them in turn. A server's listening socket has a reader callback that accepts up to
``backlog`` connections each time the selector reports it, and makes each one's transport right
there, in that callback. asyncio makes it in a task per connection; the protocol sees the same
order of calls either way.
"""

from __future__ import annotations

import collections.abc
import contextlib
import errno
import os
import socket
import ssl
import stat
import sys
import weakref
from asyncio.trsock import TransportSocket
from collections.abc import Callable, Iterator
from typing import Any

from tinyloop.exceptions import CancelledError
from tinyloop.futures import Future
from tinyloop.gathering import gather
from tinyloop.loop import logger
from tinyloop.sockets import Sock, SocketEventLoop
from tinyloop.sslproto import SSLProtocol
from tinyloop.tasks import _set_result_unless_cancelled, sleep
from tinyloop.transports import DatagramSocketTransport, SocketTransport

Factory = Callable[[], Any]  # makes the protocol of one connection

_ACCEPT_RETRY_DELAY = 1.0  # asyncio's pause before accepting again when out of file descriptors
_OUT_OF_RESOURCES = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)
# asyncio's words for a sock= that is not SOCK_DGRAM; before 3.13 it said "UDP".
_DATAGRAM_EXPECTED = "A datagram socket" if sys.version_info >= (3, 13) else "A UDP Socket"


class ConnectionEventLoop(SocketEventLoop):
    """The socket loop, with connections: transports and protocols instead of ``sock_*`` calls."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._unix_server_inodes: dict[Sock, int] = {}  # to remove their files at close

    # -- connecting ---------------------------------------------------------------------------

    async def create_connection(
        self, protocol_factory: Factory, host: Any = None, port: Any = None, *, ssl: Any = None,
        family: int = 0, proto: int = 0, flags: int = 0, sock: Sock | None = None,
        local_addr: Any = None, server_hostname: str | None = None,
        ssl_handshake_timeout: float | None = None, ssl_shutdown_timeout: float | None = None,
        happy_eyeballs_delay: float | None = None, interleave: int | None = None,
        all_errors: bool = False,
    ) -> tuple[Any, Any]:  # fmt: skip
        """Connect to ``host:port`` (or take the connected ``sock``); return transport, protocol."""
        _check_tls_options(ssl, server_hostname, ssl_handshake_timeout, ssl_shutdown_timeout)
        if server_hostname is None and ssl:
            if not host:
                raise ValueError("You must set server_hostname when using ssl without a host")
            server_hostname = host
        if host is not None or port is not None:
            if sock is not None:
                raise ValueError("host/port and sock can not be specified at the same time")
            infos = await self._resolve(host, port, family=family, proto=proto, flags=flags)
            local_infos = None
            if local_addr is not None:
                local_infos = await self._resolve(*local_addr[:2], family=family, flags=flags)
            sock = await self._connect_to_any(infos, local_infos, all_errors)
        elif sock is None:
            raise ValueError("host and port was not specified and no sock specified")
        elif sock.type != socket.SOCK_STREAM:
            raise ValueError(f"A Stream Socket was expected, got {sock!r}")
        tls = (ssl, server_hostname, False, ssl_handshake_timeout)
        return await self._connect_transport(_socket_transport, sock, protocol_factory, *tls)

    async def _connect_to_any(self, infos: list[Any], local: Any, all_errors: bool) -> Sock:
        errors: list[OSError] = []
        try:
            for family, type_, proto, _, address in infos:
                try:
                    return await self._connect_one(family, type_, proto, address, local)
                except OSError as exc:
                    errors.append(exc)
            if all_errors:
                raise ExceptionGroup("create_connection failed", errors)
            if len({str(exc) for exc in errors}) == 1:
                raise errors[0]  # the same error from every address: say it once
            raise OSError(f"Multiple exceptions: {', '.join(str(exc) for exc in errors)}")
        finally:
            errors.clear()  # each error's traceback holds this frame: no cycle through the list

    async def _connect_one(
        self, family: int, type_: int, proto: int, address: Any, local: list[Any] | None = None
    ) -> Sock:
        sock = socket.socket(family, type_, proto)
        with _closed_on_error(sock):
            sock.setblocking(False)
            if local is not None:
                _bind_local(sock, family, local)
            await self.sock_connect(sock, address)
        return sock

    async def connect_accepted_socket(
        self, protocol_factory: Factory, sock: Sock, *, ssl: Any = None,
        ssl_handshake_timeout: float | None = None, ssl_shutdown_timeout: float | None = None,
    ) -> tuple[Any, Any]:  # fmt: skip
        """A transport for a socket accepted elsewhere (the server side of a connection)."""
        if sock.type != socket.SOCK_STREAM:
            raise ValueError(f"A Stream Socket was expected, got {sock!r}")
        _check_tls_options(ssl, None, ssl_handshake_timeout, ssl_shutdown_timeout)
        tls = (ssl, "", True, ssl_handshake_timeout)
        return await self._connect_transport(_socket_transport, sock, protocol_factory, *tls)

    async def create_unix_connection(
        self, protocol_factory: Factory, path: Any = None, *, ssl: Any = None,
        sock: Sock | None = None, server_hostname: str | None = None,
        ssl_handshake_timeout: float | None = None, ssl_shutdown_timeout: float | None = None,
    ) -> tuple[Any, Any]:  # fmt: skip
        """Connect to the Unix socket at ``path`` (or take ``sock``)."""
        if ssl and server_hostname is None:
            raise ValueError("you have to pass server_hostname when using ssl")
        _check_tls_options(ssl, server_hostname, ssl_handshake_timeout, ssl_shutdown_timeout)
        if path is not None:
            if sock is not None:
                raise ValueError("path and sock can not be specified at the same time")
            sock = await self._connect_one(socket.AF_UNIX, socket.SOCK_STREAM, 0, os.fspath(path))
        elif sock is None:
            raise ValueError("no path and sock were specified")
        else:
            _check_unix_stream(sock)
        tls = (ssl, server_hostname, False, ssl_handshake_timeout)
        return await self._connect_transport(_socket_transport, sock, protocol_factory, *tls)

    async def _connect_transport(
        self, make_transport: Callable[..., Any], file: Any, protocol_factory: Factory, *args: Any
    ) -> tuple[Any, Any]:
        """``make_transport(self, file, protocol, waiter, *args)`` for a new protocol, returned
        once the waiter is done: the protocol's ``connection_made`` has run (with TLS, after the
        handshake). The client-side calls end here: ``create_connection``, its Unix and datagram
        twins, ``connect_accepted_socket``, and the pipes' ``connect_*_pipe`` (``unix_events``)."""
        try:
            protocol = protocol_factory()
            waiter: Future[None] = self.create_future()
            transport = make_transport(self, file, protocol, waiter, *args)
        except BaseException:
            file.close()  # no transport took it, and it must not outlive the call (gh-153133)
            raise
        try:
            await waiter
        except BaseException:
            transport.close()  # failed or cancelled: the file must not outlive the call
            raise
        return transport, protocol

    async def start_tls(
        self, transport: Any, protocol: Any, sslcontext: ssl.SSLContext, *,
        server_side: bool = False, server_hostname: str | None = None,
        ssl_handshake_timeout: float | None = None, ssl_shutdown_timeout: float | None = None,
    ) -> Any:  # fmt: skip
        """Upgrade a connection to TLS; return the new transport, which ``protocol`` now has.
        Reading pauses while the TLS layer is put in, so no byte reaches the wrong protocol."""
        if not isinstance(sslcontext, ssl.SSLContext):
            raise TypeError(
                f"sslcontext is expected to be an instance of ssl.SSLContext, got {sslcontext!r}"
            )
        if not isinstance(transport, SocketTransport):
            raise TypeError(f"transport {transport!r} is not supported by start_tls()")
        waiter: Future[None] = self.create_future()
        tls = SSLProtocol(
            self, protocol, sslcontext, waiter, server_side, server_hostname,
            ssl_handshake_timeout, call_connection_made=False,
        )  # fmt: skip
        transport.pause_reading()
        if server_side:  # a client's hello may already sit in a stream's buffer: TLS reads it
            _move_buffered_bytes(protocol, tls._incoming)
        transport.set_protocol(tls)
        made = self.call_soon(tls.connection_made, transport)
        resumed = self.call_soon(transport.resume_reading)
        try:
            await waiter
        except BaseException:
            transport.close()
            made.cancel()
            resumed.cancel()
            raise
        return tls.app_transport

    async def _resolve(self, host: Any, port: Any, **options: int) -> list[Any]:
        """IP addresses are parsed on the spot, as asyncio's ``_ipaddr_info`` does; names go to
        ``getaddrinfo`` in a thread, because a lookup blocks."""
        options.setdefault("type", socket.SOCK_STREAM)
        numeric = {**options, "flags": options.get("flags", 0) | socket.AI_NUMERICHOST}
        infos = None
        if host is not None:  # None, "every interface" (or loopback), is getaddrinfo's to say
            with contextlib.suppress(socket.gaierror):
                infos = socket.getaddrinfo(host, port, **numeric)
        if infos is None:
            infos = await self.getaddrinfo(host, port, **options)
        if not infos:
            raise OSError("getaddrinfo() returned empty list")
        return infos

    # -- datagrams ----------------------------------------------------------------------------

    async def create_datagram_endpoint(
        self, protocol_factory: Factory, local_addr: Any = None, remote_addr: Any = None, *,
        family: int = 0, proto: int = 0, flags: int = 0, reuse_port: bool | None = None,
        allow_broadcast: bool | None = None, sock: Sock | None = None,
    ) -> tuple[Any, Any]:  # fmt: skip
        """A UDP endpoint bound to ``local_addr`` and/or connected to ``remote_addr``."""
        if sock is not None:
            if sock.type != socket.SOCK_DGRAM:
                raise ValueError(f"{_DATAGRAM_EXPECTED} was expected, got {sock!r}")
            modifiers = (local_addr, remote_addr, family, proto, flags, reuse_port, allow_broadcast)
            if any(modifiers):
                raise ValueError(
                    "socket modifier keyword arguments can not be used when sock is specified."
                )
        else:
            options = (reuse_port, allow_broadcast)
            sock = await self._datagram_socket(
                local_addr, remote_addr, family, proto, flags, options
            )
        peer = remote_addr if allow_broadcast else None  # else connect() pins the peer
        return await self._connect_transport(DatagramSocketTransport, sock, protocol_factory, peer)

    async def _datagram_socket(
        self, local: Any, remote: Any, family: int, proto: int, flags: int, options: Any
    ) -> Sock:
        if not (local or remote):
            if family == 0:
                raise ValueError("unexpected address family")
            candidates = [(family, proto, None, None)]
        elif family == getattr(socket, "AF_UNIX", None):  # paths, nothing to resolve
            if local:
                _remove_stale_socket(local)
            candidates = [(family, proto, local, remote)]
        else:
            candidates = await self._datagram_addresses(local, remote, family, proto, flags)
        errors: list[OSError] = []
        for candidate in candidates:  # (family, proto, local address, remote address)
            try:
                return await self._open_datagram(*candidate, *options)
            except OSError as exc:
                errors.append(exc)
        raise errors[0]

    async def _datagram_addresses(
        self, local: Any, remote: Any, family: int, proto: int, flags: int
    ) -> list[tuple[int, int, Any, Any]]:
        """Pairs of a local and a remote address of the same family, as asyncio pairs them."""
        options = {"family": family, "type": socket.SOCK_DGRAM, "proto": proto, "flags": flags}
        found: dict[tuple[int, int], list[Any]] = {}
        for index, address in enumerate((local, remote)):
            if address is None:
                continue
            if not (isinstance(address, tuple) and len(address) == 2):
                raise TypeError("2-tuple is expected")
            for family_, _, proto_, _, resolved in await self._resolve(*address[:2], **options):
                found.setdefault((family_, proto_), [None, None])[index] = resolved
        pairs = [
            (family_, proto_, pair[0], pair[1])
            for (family_, proto_), pair in found.items()
            if (local is None or pair[0]) and (remote is None or pair[1])
        ]
        if not pairs:
            raise ValueError("can not get address information")
        return pairs

    async def _open_datagram(
        self, family: int, proto: int, local: Any, remote: Any, reuse_port: Any, broadcast: Any
    ) -> Sock:
        sock = socket.socket(family, socket.SOCK_DGRAM, proto)
        with _closed_on_error(sock):
            if reuse_port:
                _set_reuse_port(sock)
            if broadcast:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            sock.setblocking(False)
            if local is not None:
                sock.bind(local)
            if remote is not None and not broadcast:
                await self.sock_connect(sock, remote)
        return sock

    # -- serving ------------------------------------------------------------------------------

    async def create_server(
        self, protocol_factory: Factory, host: Any = None, port: Any = None, *,
        family: int = socket.AF_UNSPEC, flags: int = socket.AI_PASSIVE, sock: Sock | None = None,
        backlog: int = 100, ssl: Any = None, reuse_address: bool | None = None,
        reuse_port: bool | None = None, keep_alive: bool | None = None,
        ssl_handshake_timeout: float | None = None, ssl_shutdown_timeout: float | None = None,
        start_serving: bool = True,
    ) -> Server:  # fmt: skip
        """Listen on ``host:port`` (a host, a list of hosts, or ``None``/``""`` for all)."""
        _check_server_tls(ssl, ssl_handshake_timeout, ssl_shutdown_timeout)
        if host is not None or port is not None:
            if sock is not None:
                raise ValueError("host/port and sock can not be specified at the same time")
            options = (reuse_address is not False, reuse_port, keep_alive)
            sockets = await self._listening_sockets(host, port, family, flags, options)
        elif sock is None:
            raise ValueError("Neither host/port nor sock were specified")
        elif sock.type != socket.SOCK_STREAM:
            raise ValueError(f"A Stream Socket was expected, got {sock!r}")
        else:
            sockets = [sock]
        return await self._serve(sockets, protocol_factory, ssl, backlog, start_serving)

    async def _serve(
        self, sockets: list[Sock], factory: Factory, ssl: Any, backlog: int, start: bool
    ) -> Server:
        for sock in sockets:
            sock.setblocking(False)
        server = Server(self, sockets, factory, ssl, backlog)
        if start:
            await server.start_serving()
        return server

    async def _listening_sockets(
        self, host: Any, port: Any, family: int, flags: int, options: tuple[Any, ...]
    ) -> list[Sock]:
        hosts = [None if host == "" else host]  # None, or "": every interface
        if not isinstance(host, str) and isinstance(host, collections.abc.Iterable):
            hosts = list(host)  # several hosts
        lookups = [self._resolve(h, port, family=family, flags=flags) for h in hosts]
        infos = {info for found in await gather(*lookups) for info in found}
        sockets: list[Sock] = []
        try:
            for family_, type_, proto, _, address in infos:
                try:
                    sock = socket.socket(family_, type_, proto)
                except OSError:
                    continue  # a family this machine lacks: asyncio skips it too
                if _bind_listener(sock, address, *options):
                    sockets.append(sock)
            if not sockets:
                addresses = [info[4] for info in infos]
                raise OSError(f"could not bind on any address out of {addresses!r}")
        except BaseException:
            for sock in sockets:
                sock.close()
            raise
        return sockets

    async def create_unix_server(
        self, protocol_factory: Factory, path: Any = None, *, sock: Sock | None = None,
        backlog: int = 100, ssl: Any = None, ssl_handshake_timeout: float | None = None,
        ssl_shutdown_timeout: float | None = None, start_serving: bool = True,
        cleanup_socket: bool = True,
    ) -> Server:  # fmt: skip
        """Listen on the Unix socket at ``path``. A stale socket file there is removed first,
        and (``cleanup_socket``, as from 3.13) the file is removed again when the server closes."""
        _check_server_tls(ssl, ssl_handshake_timeout, ssl_shutdown_timeout)
        if path is not None:
            if sock is not None:
                raise ValueError("path and sock can not be specified at the same time")
            sock = _bind_unix(os.fspath(path))
        elif sock is None:
            raise ValueError("path was not specified, and no sock specified")
        else:
            _check_unix_stream(sock)
        name = sock.getsockname()
        if cleanup_socket and name and name[0] not in (0, "\x00"):  # not an abstract socket
            with contextlib.suppress(FileNotFoundError):
                self._unix_server_inodes[sock] = os.stat(name).st_ino
        return await self._serve([sock], protocol_factory, ssl, backlog, start_serving)

    def _start_serving(self, server: Server, sock: Sock) -> None:
        self.add_reader(sock, self._accept_connections, server, sock)

    def _stop_serving(self, sock: Sock) -> None:
        self.remove_reader(sock)
        inode = self._unix_server_inodes.pop(sock, None)
        path = sock.getsockname() if inode is not None else None
        sock.close()
        # Remove the file only if it is still ours, not a new server's.
        with contextlib.suppress(OSError):
            if path is not None and os.stat(path).st_ino == inode:
                os.unlink(path)

    def _accept_connections(self, server: Server, listener: Sock) -> None:
        """The listening socket is readable: accept a bounded batch, so other callbacks get
        their turn, and give each connection a protocol and a transport."""
        for _ in range(server._backlog):
            try:
                conn, address = listener.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return  # none left, or the client gave up before we got to it
            except OSError as exc:
                if exc.errno not in _OUT_OF_RESOURCES:
                    raise  # the loop reports it and goes on
                # Out of file descriptors: stop accepting for a while, or this callback would
                # run in every turn and starve the connections that could free some.
                context = {"message": "socket.accept() out of system resource"}
                self.call_exception_handler({**context, "exception": exc, "socket": listener})
                self.remove_reader(listener)
                self.call_later(_ACCEPT_RETRY_DELAY, server._resume_accepting, listener)
                return
            self._connection_accepted(server, conn, address)

    def _connection_accepted(self, server: Server, conn: Sock, address: Any) -> None:
        protocol = None
        try:
            protocol = server._protocol_factory()
            _socket_transport(self, conn, protocol, None, server._ssl, None, True, None, server)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            conn.close()
            # asyncio reports a failed protocol factory in debug mode only; so does tinyloop.
            if self.get_debug():
                context = {"message": "Error on transport creation for incoming connection"}
                self.call_exception_handler({**context, "exception": exc, "protocol": protocol})


class Server:
    """Listening sockets, and the connections accepted from them.

    CPython: ``Server`` in ``base_events.py``. ``wait_closed()`` returns once the server is
    closed and every transport it made is gone (the behaviour from 3.12.1 on)."""

    def __init__(
        self, loop: ConnectionEventLoop, sockets: list[Sock], factory: Factory, ssl: Any,
        backlog: int,
    ) -> None:  # fmt: skip
        self._loop = loop
        self._sockets: list[Sock] | None = sockets  # None once closed
        self._protocol_factory = factory
        self._ssl = ssl
        self._backlog = backlog
        self._clients: weakref.WeakSet[Any] = weakref.WeakSet()  # the open transports
        self._waiters: list[Future[None]] | None = []  # in wait_closed(); None once woken
        self._serving = False
        self._serving_forever: Future[None] | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} sockets={self.sockets!r}>"

    def get_loop(self) -> ConnectionEventLoop:
        return self._loop

    @property
    def sockets(self) -> tuple[TransportSocket, ...]:
        return () if self._sockets is None else tuple(map(TransportSocket, self._sockets))

    def is_serving(self) -> bool:
        return self._serving

    def _attach(self, transport: Any) -> None:
        self._clients.add(transport)

    def _detach(self, transport: Any) -> None:
        self._clients.discard(transport)
        if not self._clients and self._sockets is None:
            self._wakeup()

    def _wakeup(self) -> None:
        waiters, self._waiters = self._waiters or [], None
        for waiter in waiters:
            _set_result_unless_cancelled(waiter, None)  # cancelled: its wait_closed() was

    def _start_serving(self) -> None:
        if self._serving or self._sockets is None:
            return
        self._serving = True
        for sock in self._sockets:
            sock.listen(self._backlog)
            self._loop._start_serving(self, sock)

    def _resume_accepting(self, listener: Sock) -> None:
        if self._sockets is not None:
            self._loop._start_serving(self, listener)

    async def start_serving(self) -> None:
        self._start_serving()
        await sleep(0)  # one turn, as asyncio: the reader callbacks are registered by then

    def close(self) -> None:
        """Stop listening. The connections already accepted stay open."""
        sockets, self._sockets = self._sockets, None
        if sockets is None:
            return
        for sock in sockets:
            self._loop._stop_serving(sock)
        self._serving = False
        if self._serving_forever is not None and not self._serving_forever.done():
            self._serving_forever.cancel()
        if not self._clients:
            self._wakeup()

    def close_clients(self) -> None:
        for transport in list(self._clients):
            transport.close()

    def abort_clients(self) -> None:
        for transport in list(self._clients):
            transport.abort()

    async def wait_closed(self) -> None:
        """Wait until the server is closed and every connection it accepted is closed too."""
        if self._waiters is None:
            return
        waiter: Future[None] = self._loop.create_future()
        self._waiters.append(waiter)
        await waiter

    async def serve_forever(self) -> None:
        """Serve until cancelled, then close the server and its connections: else a client that
        hangs would keep ``wait_closed`` waiting (3.14's rule, gh-123720)."""
        if self._serving_forever is not None:
            raise RuntimeError(f"server {self!r} is already being awaited on serve_forever()")
        if self._sockets is None:
            raise RuntimeError(f"server {self!r} is closed")
        self._start_serving()
        self._serving_forever = self._loop.create_future()
        try:
            await self._serving_forever
        except CancelledError:
            self.close()
            self.close_clients()
            await self.wait_closed()
            raise
        finally:
            self._serving_forever = None

    async def __aenter__(self) -> Server:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()
        await self.wait_closed()


def _socket_transport(
    loop: ConnectionEventLoop, sock: Sock, protocol: Any, waiter: Future[None] | None, ssl: Any,
    hostname: str | None, server_side: bool, timeout: float | None, server: Server | None = None,
) -> Any:  # fmt: skip
    """A plain socket transport, or a TLS one stacked on it (``sslproto.py``)."""
    if not ssl:
        return SocketTransport(loop, sock, protocol, waiter, server=server)
    context = None if ssl is True else ssl
    tls = SSLProtocol(loop, protocol, context, waiter, server_side, hostname, timeout)
    SocketTransport(loop, sock, tls, server=server)
    return tls.app_transport


@contextlib.contextmanager
def _closed_on_error(sock: Sock) -> Iterator[None]:
    """Close ``sock`` if the block fails or is cancelled: it must not outlive the call."""
    try:
        yield
    except BaseException:
        sock.close()
        raise


def _check_server_tls(ssl: Any, handshake: float | None, shutdown: float | None) -> None:
    if isinstance(ssl, bool):
        raise TypeError("ssl argument must be an SSLContext or None")
    _check_tls_options(ssl, None, handshake, shutdown)


def _check_tls_options(
    ssl: Any, server_hostname: str | None, handshake: float | None, shutdown: float | None
) -> None:
    """The TLS options mean something only with ``ssl``: asyncio refuses them without it."""
    names = ("server_hostname", "ssl_handshake_timeout", "ssl_shutdown_timeout")
    for name, value in zip(names, (server_hostname, handshake, shutdown), strict=True):
        if value is not None and not ssl:
            raise ValueError(f"{name} is only meaningful with ssl")


def _check_unix_stream(sock: Sock) -> None:
    if sock.family != socket.AF_UNIX or sock.type != socket.SOCK_STREAM:
        raise ValueError(f"A UNIX Domain Stream Socket was expected, got {sock!r}")


def _bind_local(sock: Sock, family: int, local_infos: list[Any]) -> None:
    """Bind to the first local address of the socket's family that can be bound."""
    errors = []
    for local_family, *_, address in local_infos:
        if local_family != family:
            continue
        try:
            sock.bind(address)
            return
        except OSError as exc:
            errors.append(OSError(exc.errno, _lower_reason(exc, address)))
    if errors:
        raise errors[-1]
    raise OSError(f"no matching local address with {family=} found")


def _bind_listener(
    sock: Sock, address: Any, reuse_address: bool, reuse_port: Any, keep_alive: Any
) -> bool:
    """Set asyncio's options and bind; False (the socket closed) if the address is not
    available on this machine, as an IPv6 address is where IPv6 is off (bpo-30945)."""
    with _closed_on_error(sock):
        if reuse_address:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, True)
        if reuse_port:
            _set_reuse_port(sock)
        if keep_alive:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, True)
        if sock.family == socket.AF_INET6:  # else "::" would take the IPv4 port as well
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, True)
        try:
            sock.bind(address)
        except OSError as err:
            if err.errno == errno.EADDRNOTAVAIL:
                sock.close()
                return False
            raise OSError(err.errno, _lower_reason(err, address)) from None
    return True


def _lower_reason(err: OSError, address: Any) -> str:
    return f"error while attempting to bind on address {address!r}: {str(err).lower()}"


def _set_reuse_port(sock: Sock) -> None:
    if not hasattr(socket, "SO_REUSEPORT"):
        raise ValueError("reuse_port not supported by socket module")
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, True)
    except OSError:
        raise ValueError(
            "reuse_port not supported by socket module, SO_REUSEPORT defined but not implemented."
        ) from None


def _remove_stale_socket(path: Any) -> None:
    """A socket file left by a server that did not clean up would make ``bind`` fail."""
    if path[0] in (0, "\x00"):  # an abstract socket has no file
        return
    try:
        if stat.S_ISSOCK(os.stat(path).st_mode):
            os.remove(path)
    except FileNotFoundError:
        pass
    except OSError as err:
        logger.error("Unable to check or remove stale UNIX socket %r: %r", path, err)


def _bind_unix(path: Any) -> Sock:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    _remove_stale_socket(path)
    try:
        sock.bind(path)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise OSError(errno.EADDRINUSE, f"Address {path!r} is already in use") from None
        raise
    return sock


def _move_buffered_bytes(protocol: Any, incoming: ssl.MemoryBIO) -> None:
    """Hand what a stream read but its reader has not consumed to the TLS layer, as asyncio's
    start_tls does in 3.14.10 and 3.15 (gh-142352), for its streams and so for ours."""
    reader = getattr(protocol, "_stream_reader", None)
    buffer = getattr(reader, "_buffer", None)
    if buffer:
        incoming.write(bytes(buffer))
        buffer.clear()
