"""The loopback TCP benchmarks: an echo over ``sock_*`` calls, an echo over streams, and many
connections echoing at once. Every socket is opened on 127.0.0.1 and closed before returning.

The client sends a 64-byte message and waits for all 64 bytes to come back: one round trip is
one operation. ``TCP_NODELAY`` is set on every socket, so Nagle's algorithm adds no delay.
"""

from __future__ import annotations

import socket
import time
from contextlib import ExitStack
from types import ModuleType
from typing import Any

MESSAGE = b"x" * 64
LISTEN_BACKLOG = 1024
CONNECT_BATCH = 256
"""Connections are opened this many at a time, so the listener's backlog never overflows."""


def _listener(stack: ExitStack) -> socket.socket:
    listener = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(LISTEN_BACKLOG)
    listener.setblocking(False)
    return listener


async def _recv_exactly(loop: Any, sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = await loop.sock_recv(sock, size - len(data))
        if not chunk:
            raise ConnectionError("the peer closed the connection")
        data += chunk
    return data


async def _echo_server_side(loop: Any, conn: socket.socket) -> None:
    """Send back every message received on ``conn``, until the peer closes it."""
    while True:
        data = await loop.sock_recv(conn, 65536)
        if not data:
            return
        await loop.sock_sendall(conn, data)


async def _open_pairs(
    aio: ModuleType, stack: ExitStack, listener: socket.socket, count: int
) -> tuple[list[socket.socket], list[socket.socket]]:
    """``count`` connected (client, server side) socket pairs, all non-blocking."""
    loop = aio.get_running_loop()
    address = listener.getsockname()
    clients: list[socket.socket] = []
    servers: list[socket.socket] = []
    while len(clients) < count:
        batch = min(CONNECT_BATCH, count - len(clients))
        new = [stack.enter_context(socket.socket()) for _ in range(batch)]
        for sock in new:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connecting = aio.gather(*[loop.sock_connect(sock, address) for sock in new])
        for _ in range(batch):
            conn, _ = await loop.sock_accept(listener)
            stack.enter_context(conn)
            conn.setblocking(False)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            servers.append(conn)
        await connecting
        clients += new
    return clients, servers


async def _echo_clients(
    aio: ModuleType, clients: list[socket.socket], servers: list[socket.socket], rounds: int
) -> float:
    """Each client sends ``rounds`` messages, one at a time, all clients at once; timed."""
    loop = aio.get_running_loop()
    echoes = [aio.create_task(_echo_server_side(loop, conn)) for conn in servers]

    async def client(sock: socket.socket) -> None:
        for _ in range(rounds):
            await loop.sock_sendall(sock, MESSAGE)
            await _recv_exactly(loop, sock, len(MESSAGE))

    start = time.perf_counter()
    await aio.gather(*[client(sock) for sock in clients])
    elapsed = time.perf_counter() - start
    for sock in clients:
        sock.shutdown(socket.SHUT_WR)  # the server side reads b"" and its task returns
    await aio.gather(*echoes)
    return elapsed


async def echo_sockets(aio: ModuleType, n: int) -> float:
    """``n`` round trips of 64 bytes on one connection, with ``sock_sendall``/``sock_recv``."""
    with ExitStack() as stack:
        listener = _listener(stack)
        clients, servers = await _open_pairs(aio, stack, listener, 1)
        return await _echo_clients(aio, clients, servers, n)


async def echo_streams(aio: ModuleType, n: int) -> float:
    """``n`` round trips of 64 bytes on one connection, with ``open_connection`` and
    ``start_server``: ``write``, ``drain``, ``readexactly`` on both sides."""

    async def echo(reader: Any, writer: Any) -> None:
        try:
            while True:
                try:
                    data = await reader.readexactly(len(MESSAGE))
                except aio.IncompleteReadError:
                    return
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()
            await writer.wait_closed()

    server = await aio.start_server(echo, "127.0.0.1", 0)
    try:
        port = server.sockets[0].getsockname()[1]
        reader, writer = await aio.open_connection("127.0.0.1", port)
        try:
            writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            start = time.perf_counter()
            for _ in range(n):
                writer.write(MESSAGE)
                await writer.drain()
                await reader.readexactly(len(MESSAGE))
            elapsed = time.perf_counter() - start
        finally:
            writer.close()
            await writer.wait_closed()
    finally:
        server.close()
        await server.wait_closed()
    return float(elapsed)


async def aiohttp_keepalive(aio: ModuleType, n: int) -> float:
    """``n`` GET requests one after another over one keep-alive connection, aiohttp's server
    and client in one process. aiohttp finds the loop through ``asyncio``: for tinyloop, the
    child stands tinyloop in for asyncio before aiohttp is imported (``contenders.set_up``)."""
    from aiohttp import ClientSession, TCPConnector, web

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/"
    try:
        async with ClientSession(connector=TCPConnector(limit=1)) as session:
            start = time.perf_counter()
            for _ in range(n):
                async with session.get(url) as response:
                    await response.read()
            elapsed = time.perf_counter() - start
    finally:
        await runner.cleanup()
    return float(elapsed)


MESSAGES_PER_SIZE = 2_000
"""The connection scaling sends about this many messages at every size (at least one each)."""


def connection_rounds(connections: int, messages: int = MESSAGES_PER_SIZE) -> int:
    """How many round trips each connection makes at this size."""
    return max(1, messages // connections)


def connection_operations(connections: int) -> int:
    """The operations of ``concurrent_connections(connections)``: one per round trip."""
    return connections * connection_rounds(connections)


async def concurrent_connections(aio: ModuleType, n: int) -> float:
    """``n`` connections open at once, all echoing at the same time; opening them is not timed."""
    with ExitStack() as stack:
        listener = _listener(stack)
        clients, servers = await _open_pairs(aio, stack, listener, n)
        return await _echo_clients(aio, clients, servers, connection_rounds(n))
