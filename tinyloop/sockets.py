"""Socket coroutines: ``sock_recv``, ``sock_sendall``, ``sock_accept``, ``sock_connect``.

CPython: ``Lib/asyncio/selector_events.py`` (``sock_recv``, ``_sock_recv``, ``sock_sendall``…).
They are built on the selector's reader and writer callbacks: try the call at once; if the socket
is not ready, register a callback that retries it when the selector says it is, and await a
future that the callback completes. A done-callback on that future removes the callback again,
however the future ended (a result, an error, or the awaiting task cancelled).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import os
import selectors
import socket
from collections.abc import Callable
from typing import Any, TypeVar

from tinyloop.exceptions import SendfileNotAvailableError
from tinyloop.futures import Future
from tinyloop.handles import Handle, TimerHandle
from tinyloop.selector_io import SelectorEventLoop

T = TypeVar("T")
Sock = socket.socket  # the package's short name for it (connections.py too)

# How often, while a sock_* call waits, the loop checks that its socket has not been closed.
_CLOSED_SOCKET_CHECK = 1.0
_SENDFILE_BLOCK = 256 * 1024  # bytes per os.sendfile call or read: asyncio's fallback reads as much


class SocketEventLoop(SelectorEventLoop):
    """The selector loop, with coroutines that wait for sockets."""

    def __init__(self, selector: selectors.BaseSelector | None = None) -> None:
        super().__init__(selector)
        self._sock_waits: dict[Future[Any], Sock] = {}  # sock_* calls waiting
        # The timer of the next closed-socket check, pending exactly while some sock_* call
        # waits: a loop with no such wait pays nothing for the check, not even a test per turn.
        self._closed_socket_watch: TimerHandle | None = None

    async def getaddrinfo(self, host: Any, port: Any, **options: int) -> list[Any]:
        """``socket.getaddrinfo`` in a thread: name resolution blocks, and no selector can wait
        for it (asyncio does the same). ``options``: family, type, proto, flags."""
        lookup = functools.partial(socket.getaddrinfo, host, port, **options)
        return await self.run_in_executor(None, lookup)

    async def sock_recv(self, sock: Sock, n: int) -> bytes:
        """Receive up to ``n`` bytes; ``b""`` means the peer has closed its side."""
        # _sock_call written out, as asyncio's sock_recv is: one coroutine fewer to create and
        # to pass through on every suspension and resumption, on the call readers make most.
        _check_non_blocking(sock)
        try:
            return sock.recv(n)
        except (BlockingIOError, InterruptedError):
            pass
        return await self._when_ready(sock, selectors.EVENT_READ, sock.recv, n)

    async def sock_recv_into(self, sock: Sock, buf: Any) -> int:
        """Receive into the writable buffer ``buf``; return how many bytes arrived."""
        return await self._sock_call(sock, selectors.EVENT_READ, sock.recv_into, buf)

    async def sock_recvfrom(self, sock: Sock, bufsize: int) -> tuple[bytes, Any]:
        """Receive one datagram of up to ``bufsize`` bytes; return it and its sender."""
        return await self._sock_call(sock, selectors.EVENT_READ, sock.recvfrom, bufsize)

    async def sock_recvfrom_into(self, sock: Sock, buf: Any, nbytes: int = 0) -> tuple[int, Any]:
        return await self._sock_call(sock, selectors.EVENT_READ, sock.recvfrom_into, buf, nbytes)

    async def sock_sendto(self, sock: Sock, data: Any, address: Any) -> int:
        """Send one datagram to ``address``."""
        return await self._sock_call(sock, selectors.EVENT_WRITE, _sendto, sock, data, address)

    async def getnameinfo(self, sockaddr: Any, flags: int = 0) -> tuple[str, str]:
        """``socket.getnameinfo`` in a thread, as ``getaddrinfo``: a reverse lookup blocks."""
        return await self.run_in_executor(None, socket.getnameinfo, sockaddr, flags)

    async def sock_sendfile(
        self, sock: Sock, file: Any, offset: int = 0, count: int | None = None,
        *, fallback: bool = True,
    ) -> int:  # fmt: skip
        """Send ``count`` bytes of ``file`` (all, if None) from ``offset``: with ``os.sendfile``,
        the kernel copying file to socket, else (``fallback``) read and ``sock_sendall``."""
        _check_sendfile(sock, file, offset, count)
        _check_non_blocking(sock)
        try:
            fileno = file.fileno()
            os.fstat(fileno)
        except (AttributeError, OSError, io.UnsupportedOperation) as exc:
            if not fallback:
                raise SendfileNotAvailableError("not a regular file") from exc
            fileno = None  # nothing for os.sendfile to copy from: read the file and send that
            file.seek(offset)
        sent = 0
        while count is None or sent < count:
            block = _SENDFILE_BLOCK if count is None else min(count - sent, _SENDFILE_BLOCK)
            if fileno is None:
                n = await self._read_and_send(sock, file, block)
            else:
                args = (sock.fileno(), fileno, offset + sent, block)
                n = await self._sock_call(sock, selectors.EVENT_WRITE, os.sendfile, *args)
            if n == 0:
                break  # the end of the file
            sent += n
        file.seek(offset + sent)  # where a read would have left it (after a read: no move)
        return sent

    async def _read_and_send(self, sock: Sock, file: Any, size: int) -> int:
        """Read up to ``size`` bytes of ``file`` in a thread (a read may block), and send them."""
        data = await self.run_in_executor(None, file.read, size)
        if data:
            await self.sock_sendall(sock, data)
        return len(data)

    async def sock_accept(self, sock: Sock) -> tuple[Sock, Any]:
        """Accept a connection: a new non-blocking socket, and the peer's address."""
        return await self._sock_call(sock, selectors.EVENT_READ, _accept, sock)

    async def sock_sendall(self, sock: Sock, data: Any) -> None:
        """Send all of ``data``, waiting whenever the kernel's send buffer is full."""
        view = memoryview(data).cast("B")
        # Most sends take everything at once, without a wait (_sock_call tries first, as
        # asyncio's sock_sendall does). What a full send buffer left over waits until the
        # socket is writable again.
        sent = await self._sock_call(sock, selectors.EVENT_WRITE, sock.send, view)
        while sent < len(view):
            sent += await self._when_ready(sock, selectors.EVENT_WRITE, sock.send, view[sent:])

    async def sock_connect(self, sock: Sock, address: Any) -> None:
        """Connect to ``address``; a host name is looked up first, in a thread (getaddrinfo)."""
        _check_non_blocking(sock)
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_resolved(sock, address):
            # connect() would look the name up itself, and block the loop while it does.
            options = {"family": sock.family, "type": sock.type, "proto": sock.proto}
            address = (await self.getaddrinfo(*address[:2], **options))[0][4]
        with contextlib.suppress(BlockingIOError, InterruptedError):
            sock.connect(address)
            return
        # Not at once: it goes on in the background, and the socket turns writable when done.
        await self._when_ready(sock, selectors.EVENT_WRITE, _connect_outcome, sock, address)

    async def _sock_call(self, sock: Sock, event: int, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)`` now if ``sock`` is ready, else as soon as the selector says it is."""
        _check_non_blocking(sock)
        try:
            return call(*args)
        except (BlockingIOError, InterruptedError):
            pass  # not ready: wait (outside the except, so no error is chained to what follows)
        return await self._when_ready(sock, event, call, *args)

    def _when_ready(self, sock: Sock, event: int, call: Callable[..., T], *args: Any) -> Future[T]:
        """A future for ``call(*args)``, retried each time the selector finds ``sock`` ready."""
        future: Future[T] = self.create_future()
        fd = sock.fileno()
        handle = Handle(self._retry, (future, call, args), self)
        self._add(fd, event, handle)
        self._sock_waits[future] = sock
        if self._closed_socket_watch is None:
            self._watch_for_closed_sockets()
        future.add_done_callback(functools.partial(self._sock_wait_done, fd, event, handle))
        return future

    def _retry(self, future: Future[T], call: Callable[..., T], args: tuple[Any, ...]) -> None:
        if future.done():
            return  # cancelled: the done-callback removes this callback in the next turn
        try:
            result = call(*args)
        except (BlockingIOError, InterruptedError):
            return  # woken, yet not ready after all: stay registered for the next event
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            future.set_exception(exc)
            del future  # exc's traceback holds this frame: no cycle exc -> frame -> future -> exc
        else:
            future.set_result(result)

    def _sock_wait_done(self, fd: int, event: int, handle: Handle, future: Future[Any]) -> None:
        del self._sock_waits[future]
        if not self._sock_waits and self._closed_socket_watch is not None:
            # No wait left to watch: a pending timer would make every turn read the clock.
            self._closed_socket_watch.cancel()
            self._closed_socket_watch = None
        # A cancelled handle was replaced by a later add_reader/add_writer: not ours to remove.
        if not handle.cancelled():
            self._remove(fd, event)

    def _watch_for_closed_sockets(self) -> None:
        self._closed_socket_watch = self.call_later(
            _CLOSED_SOCKET_CHECK, self._fail_waits_on_closed_sockets
        )

    def _fail_waits_on_closed_sockets(self) -> None:
        """epoll and kqueue drop a closed fd without a word, so a task waiting on a socket that
        another task closed would wait forever; poll(2) would report it at once (POLLNVAL). Look
        for such sockets now and then, and raise in the waiting task what the socket call would
        have raised: EBADF."""
        self._closed_socket_watch = None
        for future, sock in self._sock_waits.items():
            if sock.fileno() == -1 and not future.done():
                problem = "Bad file descriptor: the socket was closed while a task awaited it"
                future.set_exception(OSError(errno.EBADF, problem))
        if self._sock_waits:
            self._watch_for_closed_sockets()


def _check_sendfile(sock: Sock, file: Any, offset: Any, count: Any) -> None:
    """asyncio's checks, with its messages."""
    if "b" not in getattr(file, "mode", "b"):
        raise ValueError("file should be opened in binary mode")
    if sock.type != socket.SOCK_STREAM:
        raise ValueError("only SOCK_STREAM type sockets are supported")
    if count is not None:
        if not isinstance(count, int):
            raise TypeError(f"count must be a positive integer (got {count!r})")
        if count <= 0:
            raise ValueError(f"count must be a positive integer (got {count!r})")
    if not isinstance(offset, int):
        raise TypeError(f"offset must be a non-negative integer (got {offset!r})")
    if offset < 0:
        raise ValueError(f"offset must be a non-negative integer (got {offset!r})")


def _check_non_blocking(sock: Sock) -> None:
    # A blocking call would stop the whole loop. asyncio checks only in debug mode; tinyloop always.
    if sock.gettimeout() != 0:
        raise ValueError("the socket must be non-blocking")


def _is_resolved(sock: Sock, address: Any) -> bool:
    """Whether ``address`` is an IP address and a port number: nothing left to look up."""
    try:
        socket.inet_pton(sock.family, address[0])
    except (OSError, TypeError):
        return False
    return isinstance(address[1], int)


def _sendto(sock: Sock, data: Any, address: Any) -> int:
    return sock.sendto(data, address)  # looked up at each try, as asyncio's retry does


def _accept(listener: Sock) -> tuple[Sock, Any]:
    conn, address = listener.accept()
    conn.setblocking(False)
    return conn, address


def _connect_outcome(sock: Sock, address: Any) -> None:
    err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if err != 0:
        raise OSError(err, f"Connect call failed {address}")  # asyncio's message
