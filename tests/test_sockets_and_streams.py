"""Sockets and streams: the loop's sock_* calls, open_connection and start_server, on asyncio and
tinyloop alike, up to an echo server with 500 clients. Everything listens on 127.0.0.1 only."""

from __future__ import annotations

import errno
import resource
import socket
import sys
import time
from collections.abc import Awaitable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import tinyloop

# The load tests: clients, the lines each sends and reads back, the length of a line in bytes.
CLIENTS, MESSAGES, SIZE = 500, 200, 64
BOUND = 10.0  # seconds: a test still running then has failed (rather than hung)
LOAD_BOUND = 30.0


async def bounded(aio: ModuleType, awaitable: Awaitable[Any], seconds: float) -> Any:
    """Await ``awaitable``, cancelled after ``seconds``: wait_for, from what both loops have."""
    task = aio.ensure_future(awaitable)
    timer = aio.get_running_loop().call_later(seconds, task.cancel)
    try:
        return await task
    except aio.CancelledError:
        raise TimeoutError(f"not done within {seconds} s") from None
    finally:
        timer.cancel()


def run(aio: ModuleType, main: Awaitable[Any], *, debug: bool = False) -> Any:
    return aio.run(bounded(aio, main, BOUND), debug=debug)


def nonblocking_pair() -> tuple[socket.socket, socket.socket]:
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    return a, b


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (it was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_of(server: Any) -> int:
    return int(server.sockets[0].getsockname()[1])


# -- the loop's sock_* calls ---------------------------------------------------------------------


def test_sock_sendall_and_sock_recv_move_every_byte_over_a_socketpair(aio: ModuleType) -> None:
    payload = bytes(range(256)) * 16384  # 4 MiB: far more than the kernel buffers, so both wait

    async def main() -> bool:
        loop = aio.get_running_loop()
        a, b = nonblocking_pair()
        with a, b:
            sending = aio.create_task(loop.sock_sendall(a, payload))
            received = bytearray()
            while len(received) < len(payload):
                received += await loop.sock_recv(b, 65536)
            await sending
        return bytes(received) == payload

    assert run(aio, main()) is True


def test_sock_recv_into_waits_then_fills_the_buffer(aio: ModuleType) -> None:
    async def main() -> tuple[int, bytes]:
        loop = aio.get_running_loop()
        a, b = nonblocking_pair()
        buf = bytearray(16)
        with a, b:
            receiving = aio.create_task(loop.sock_recv_into(b, buf))
            await aio.sleep(0)  # it finds nothing and waits
            await loop.sock_sendall(a, b"hello")
            n = await receiving
        return n, bytes(buf[:n])

    assert run(aio, main()) == (5, b"hello")


def test_sock_accept_and_sock_connect_over_tcp_on_127_0_0_1(aio: ModuleType) -> None:
    async def main() -> tuple[bool, float, bytes]:
        loop = aio.get_running_loop()
        listener, client = socket.socket(), socket.socket()
        with listener, client:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            listener.setblocking(False)
            client.setblocking(False)
            accepting = aio.create_task(loop.sock_accept(listener))
            await aio.sleep(0)  # nobody has connected yet: it waits
            await loop.sock_connect(client, listener.getsockname())
            conn, address = await accepting
            with conn:
                await loop.sock_sendall(client, b"ping")
                data = await loop.sock_recv(conn, 4)
                return address == client.getsockname(), conn.gettimeout(), data

    assert run(aio, main()) == (True, 0.0, b"ping")


def test_sock_connect_to_a_port_nobody_listens_on_is_refused(aio: ModuleType) -> None:
    async def main() -> None:
        with socket.socket() as sock:
            sock.setblocking(False)
            await aio.get_running_loop().sock_connect(sock, ("127.0.0.1", closed_port()))

    with pytest.raises(ConnectionRefusedError):
        run(aio, main())


@pytest.mark.parametrize("call", ["sock_recv", "sock_sendall"])
def test_cancelling_a_waiting_sock_call_unregisters_its_socket(aio: ModuleType, call: str) -> None:
    # The loop's selector is internal to both loops; both keep it in loop._selector.
    async def main() -> tuple[bool, bool]:
        loop = aio.get_running_loop()
        a, b = nonblocking_pair()
        with a, b:
            if call == "sock_recv":
                waiting = aio.create_task(loop.sock_recv(a, 100))  # nothing was sent
            else:
                waiting = aio.create_task(loop.sock_sendall(a, b"x" * 2**22))  # b never reads
            await aio.sleep(0)
            registered = a.fileno() in loop._selector.get_map()
            waiting.cancel()
            await aio.sleep(0)  # the future's done-callback runs in the next turn
            unregistered = a.fileno() not in loop._selector.get_map()
            with pytest.raises(aio.CancelledError):
                await waiting
        return registered, unregistered

    assert run(aio, main()) == (True, True)


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("sock_recv", (1,)),
        ("sock_recv_into", (bytearray(1),)),
        ("sock_sendall", (b"x",)),
        ("sock_accept", ()),
        ("sock_connect", (("127.0.0.1", 9),)),
    ],
)
def test_a_blocking_socket_is_a_value_error(
    aio: ModuleType, method: str, args: tuple[Any, ...]
) -> None:
    async def main() -> None:
        with socket.socket() as sock:  # blocking, as every new socket is
            await getattr(aio.get_running_loop(), method)(sock, *args)

    # asyncio checks only in debug mode; tinyloop always does.
    with pytest.raises(ValueError, match="the socket must be non-blocking"):
        run(aio, main(), debug=True)


def test_a_socket_closed_under_a_waiting_sock_recv(aio: ModuleType) -> None:
    """epoll forgets a closed fd without a word. asyncio's waiter then waits until something else
    ends it (here, a timeout); tinyloop's loop finds the closed socket within about a second and
    raises EBADF in the waiting task. Either way the fd leaves the selector."""

    async def main() -> tuple[str, float, bool]:
        loop = aio.get_running_loop()
        a, b = nonblocking_pair()
        with b:
            waiting = aio.create_task(loop.sock_recv(a, 100))
            await aio.sleep(0)
            fd = a.fileno()
            a.close()
            start = loop.time()
            try:
                await bounded(aio, waiting, 2.0)
                outcome = "data"
            except TimeoutError:
                outcome = "still waiting when the timeout cancelled it"
            except OSError as exc:
                outcome = errno.errorcode[exc.errno or 0]
        return outcome, loop.time() - start, fd in loop._selector.get_map()

    outcome, elapsed, still_registered = run(aio, main())
    if aio is tinyloop:
        assert outcome == "EBADF"
        assert elapsed < 1.9
    else:
        assert outcome == "still waiting when the timeout cancelled it"
    assert not still_registered


def test_a_waiter_on_a_reused_fd_number_still_wakes_up(aio: ModuleType) -> None:
    """A socket closed under a waiting sock_recv, and its fd number taken by a new socket: epoll
    no longer watches that number, so asyncio's new waiter is never woken. tinyloop registers the
    fd afresh and the new waiter gets its data."""

    async def main() -> str:
        loop = aio.get_running_loop()
        a, b = nonblocking_pair()
        old = aio.create_task(loop.sock_recv(a, 100))
        await aio.sleep(0)
        fd = a.fileno()
        a.close()
        c, d = nonblocking_pair()  # the kernel hands out the lowest free number: a's
        with b, c, d:
            if fd not in (c.fileno(), d.fileno()):
                old.cancel()
                return "not reused"
            new_sock, peer = (c, d) if c.fileno() == fd else (d, c)
            new = aio.create_task(loop.sock_recv(new_sock, 100))
            await aio.sleep(0)
            peer.send(b"hello")
            try:
                outcome = repr(await bounded(aio, new, 0.5))
            except TimeoutError:
                outcome = "never woken"
            old.cancel()
            with pytest.raises((aio.CancelledError, OSError)):
                await old
        return outcome

    outcome = run(aio, main())
    if outcome == "not reused":
        pytest.skip("the kernel gave the new sockets other fd numbers")
    assert outcome == ("b'hello'" if aio is tinyloop else "never woken")


def test_add_reader_on_a_regular_file_is_a_permission_error(
    aio: ModuleType, tmp_path: Path
) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(b"always readable")

    async def main() -> bool:
        loop = aio.get_running_loop()
        with path.open("rb") as file:
            with pytest.raises(PermissionError):
                loop.add_reader(file.fileno(), print)
            return file.fileno() in loop._selector.get_map()

    assert run(aio, main()) is False


# -- streams -------------------------------------------------------------------------------------


def test_streams_echo_lines_and_tell_both_addresses(aio: ModuleType) -> None:
    async def shout(reader: Any, writer: Any) -> None:
        while line := await reader.readline():
            writer.write(line.upper())
            await writer.drain()
        writer.close()
        await writer.wait_closed()

    async def main() -> tuple[list[bytes], bool, bool, bool]:
        async with await aio.start_server(shout, "127.0.0.1", 0) as server:
            reader, writer = await aio.open_connection("127.0.0.1", port_of(server))
            writer.writelines([b"hello\n", b"world\n"])
            await writer.drain()
            lines = [await reader.readline(), await reader.readline()]
            peer = writer.get_extra_info("peername") == ("127.0.0.1", port_of(server))
            own = writer.get_extra_info("sockname") == writer.get_extra_info("socket").getsockname()
            writer.close()
            await writer.wait_closed()
            return lines, peer, own, writer.is_closing()

    assert run(aio, main()) == ([b"HELLO\n", b"WORLD\n"], True, True, True)


def test_readexactly_raises_incomplete_read_error_at_eof(aio: ModuleType) -> None:
    async def three_bytes(reader: Any, writer: Any) -> None:
        writer.write(b"abc")
        writer.close()

    async def main() -> tuple[bytes, bytes, int | None, bool]:
        async with await aio.start_server(three_bytes, "127.0.0.1", 0) as server:
            reader, writer = await aio.open_connection("127.0.0.1", port_of(server))
            first = await reader.readexactly(1)
            with pytest.raises(aio.IncompleteReadError) as raised:
                await reader.readexactly(10)
            writer.close()
            await writer.wait_closed()
        return first, raised.value.partial, raised.value.expected, reader.at_eof()

    assert run(aio, main()) == (b"a", b"bc", 10, True)


def test_readuntil_and_the_line_limit(aio: ModuleType) -> None:
    async def send(reader: Any, writer: Any) -> None:
        writer.write(b"key=value;" + b"x" * 100 + b"\ntail\n")
        writer.close()

    async def main() -> list[Any]:
        seen: list[Any] = []
        async with await aio.start_server(send, "127.0.0.1", 0) as server:
            reader, writer = await aio.open_connection("127.0.0.1", port_of(server), limit=16)
            seen.append(await reader.readuntil(b";"))
            with pytest.raises(ValueError, match="chunk is longer than limit"):
                await reader.readline()  # 100 bytes before the newline: the line is dropped
            seen.append(await reader.readline())
            with pytest.raises(aio.IncompleteReadError) as raised:
                await reader.readuntil(b";")
            seen += [raised.value.partial, reader.at_eof()]
            writer.close()
            await writer.wait_closed()
        return seen

    assert run(aio, main()) == [b"key=value;", b"tail\n", b"", True]


def test_read_with_no_size_reads_until_eof_through_a_paused_reader(aio: ModuleType) -> None:
    payload = bytes(range(256)) * 4096  # 1 MiB: the reader pauses at twice its limit and resumes

    async def send(reader: Any, writer: Any) -> None:
        writer.write(payload)
        await writer.drain()
        writer.close()

    async def main() -> tuple[bool, bool]:
        async with await aio.start_server(send, "127.0.0.1", 0) as server:
            reader, writer = await aio.open_connection("127.0.0.1", port_of(server))
            data = await reader.read()
            writer.close()
            await writer.wait_closed()
        return data == payload, reader.at_eof()

    assert run(aio, main()) == (True, True)


def test_two_coroutines_reading_at_once_is_a_runtime_error(aio: ModuleType) -> None:
    async def silent(reader: Any, writer: Any) -> None:
        await reader.read()  # until the client closes
        writer.close()

    async def main() -> None:
        async with await aio.start_server(silent, "127.0.0.1", 0) as server:
            reader, writer = await aio.open_connection("127.0.0.1", port_of(server))
            first = aio.create_task(reader.read(10))
            await aio.sleep(0)
            with pytest.raises(RuntimeError, match="already waiting for incoming data"):
                await reader.read(10)
            writer.close()
            await writer.wait_closed()
            assert await first == b""

    run(aio, main())


def test_drain_makes_a_fast_writer_wait_for_a_slow_reader(aio: ModuleType) -> None:
    size = 32 * 2**20  # more than the kernel buffers on both ends can hold

    async def main() -> tuple[bool, bool, int]:
        go = aio.get_running_loop().create_future()
        got: list[int] = []

        async def slow(reader: Any, writer: Any) -> None:
            await go  # reads nothing until told
            got.append(len(await reader.readexactly(size)))
            writer.close()

        async with await aio.start_server(slow, "127.0.0.1", 0) as server:
            reader, writer = await aio.open_connection("127.0.0.1", port_of(server))
            writer.write(b"x" * size)
            draining = aio.create_task(writer.drain())
            await aio.sleep(0.2)
            waited = not draining.done()
            go.set_result(None)
            await draining
            at_eof = await reader.read() == b""  # the server closes once it has read it all
            writer.close()
            await writer.wait_closed()
        return waited, at_eof, got[0]

    assert run(aio, main()) == (True, True, size)


def test_a_reset_connection_raises_in_read_and_wait_closed(aio: ModuleType) -> None:
    async def main() -> None:
        loop = aio.get_running_loop()
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            listener.setblocking(False)
            reader, writer = await aio.open_connection(*listener.getsockname())
            conn, _ = await loop.sock_accept(listener)
            # Linger on, with a zero timeout: close() sends a reset instead of a FIN.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            conn.close()
            with pytest.raises(ConnectionResetError):
                await reader.read(100)
            writer.close()
            with pytest.raises(ConnectionResetError):
                await writer.wait_closed()

    run(aio, main())


def test_open_connection_to_a_port_nobody_listens_on_is_refused(aio: ModuleType) -> None:
    with pytest.raises(ConnectionRefusedError):
        run(aio, aio.open_connection("127.0.0.1", closed_port()))


def test_open_connection_resolves_localhost(aio: ModuleType) -> None:
    async def greet(reader: Any, writer: Any) -> None:
        writer.write(b"hi")
        writer.close()

    async def main() -> bytes:
        async with await aio.start_server(greet, "127.0.0.1", 0) as server:
            reader, writer = await aio.open_connection("localhost", port_of(server))
            data: bytes = await reader.read()
            writer.close()
            await writer.wait_closed()
        return data

    assert run(aio, main()) == b"hi"


def test_a_closed_server_has_no_sockets_and_refuses_connections(aio: ModuleType) -> None:
    async def main() -> tuple[bool, bool, tuple[Any, ...]]:
        server = await aio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port, serving = port_of(server), server.is_serving()
        server.close()
        await server.wait_closed()
        with pytest.raises(ConnectionRefusedError):
            await aio.open_connection("127.0.0.1", port)
        return serving, server.is_serving(), server.sockets

    assert run(aio, main()) == (True, False, ())


def test_wait_closed_waits_for_the_connections_the_server_accepted(aio: ModuleType) -> None:
    async def main() -> tuple[bool, bool]:
        loop = aio.get_running_loop()
        connected, finish = loop.create_future(), loop.create_future()

        async def hold(reader: Any, writer: Any) -> None:
            connected.set_result(None)
            await finish
            writer.close()

        server = await aio.start_server(hold, "127.0.0.1", 0)
        _reader, writer = await aio.open_connection("127.0.0.1", port_of(server))
        await connected
        server.close()
        waiting = aio.create_task(server.wait_closed())
        await aio.sleep(0.05)
        early = waiting.done()
        finish.set_result(None)
        await waiting
        writer.close()
        await writer.wait_closed()
        return early, waiting.done()

    # asyncio before 3.12.1 returned from wait_closed() at once once the server was closed.
    returns_early = aio is not tinyloop and sys.version_info < (3, 12, 1)
    assert run(aio, main()) == (returns_early, True)


def test_cancelling_serve_forever_closes_the_server(aio: ModuleType) -> None:
    async def main() -> tuple[Any, ...]:
        server = await aio.start_server(lambda r, w: None, "127.0.0.1", 0)
        serving = aio.create_task(server.serve_forever())
        await aio.sleep(0)
        serving.cancel()
        with pytest.raises(aio.CancelledError):
            await serving
        return tuple(server.sockets)

    assert run(aio, main()) == ()


def test_a_handler_that_raises_is_reported_and_its_connection_closed(aio: ModuleType) -> None:
    async def broken(reader: Any, writer: Any) -> None:
        raise LookupError("a bug in the handler")

    async def main() -> tuple[bytes, list[str]]:
        reports: list[str] = []
        loop = aio.get_running_loop()
        loop.set_exception_handler(lambda loop, context: reports.append(context["message"]))
        async with await aio.start_server(broken, "127.0.0.1", 0) as server:
            reader, writer = await aio.open_connection("127.0.0.1", port_of(server))
            data = await reader.read()
            writer.close()
            await writer.wait_closed()
        return data, reports

    assert run(aio, main()) == (b"", ["Unhandled exception in client_connected_cb"])


# -- load: an echo server and 500 clients ----------------------------------------------------------


def messages(client: int) -> list[bytes]:
    """The lines one client sends, numbered, each SIZE bytes long."""
    return [
        f"client {client:03d} line {i:03d} ".encode().ljust(SIZE - 1, b".") + b"\n"
        for i in range(MESSAGES)
    ]


@pytest.fixture
def fd_headroom() -> Iterator[None]:
    """Both ends of every connection are open at once: raise the soft limit on files if needed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = 2 * CLIENTS + 200
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            pytest.skip(f"needs {needed} open files; the hard limit is {hard}")
        new_soft = needed if hard == resource.RLIM_INFINITY else hard
        resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def run_load(aio: ModuleType, main: Any, what: str) -> list[bool]:
    start = time.perf_counter()
    results: list[bool] = aio.run(bounded(aio, main(), LOAD_BOUND))
    elapsed = time.perf_counter() - start
    total = CLIENTS * MESSAGES * SIZE
    print(f"\n{what} on {aio.__name__}: {CLIENTS} clients x {MESSAGES} lines, {total} bytes")
    print(f"each way, echoed in {elapsed:.2f} s")
    return results


def test_an_echo_server_on_streams_serves_500_clients(aio: ModuleType, fd_headroom: None) -> None:
    async def main() -> list[bool]:
        handlers: list[Any] = []

        async def echo(reader: Any, writer: Any) -> None:
            handlers.append(aio.current_task())
            while line := await reader.readline():
                writer.write(line)
                await writer.drain()
            writer.close()
            await writer.wait_closed()

        async def client(port: int, n: int) -> bool:
            reader, writer = await aio.open_connection("127.0.0.1", port)
            lines = messages(n)

            async def send() -> None:
                for line in lines:
                    writer.write(line)
                    await writer.drain()

            async def receive() -> list[bytes]:
                return [await reader.readline() for _ in lines]

            _, echoed = await aio.gather(send(), receive())
            writer.close()
            await writer.wait_closed()
            return bool(echoed == lines)

        async with await aio.start_server(echo, "127.0.0.1", 0, backlog=CLIENTS) as server:
            results = await aio.gather(*(client(port_of(server), n) for n in range(CLIENTS)))
            await aio.gather(*handlers)
        return list(results)

    assert run_load(aio, main, "streams") == [True] * CLIENTS


def test_an_echo_server_on_sock_calls_serves_500_clients(
    aio: ModuleType, fd_headroom: None
) -> None:
    async def main() -> list[bool]:
        loop = aio.get_running_loop()
        handlers: list[Any] = []

        async def echo(conn: socket.socket) -> None:
            with conn:
                while data := await loop.sock_recv(conn, 65536):
                    await loop.sock_sendall(conn, data)

        async def serve(listener: socket.socket) -> None:
            for _ in range(CLIENTS):
                conn, _ = await loop.sock_accept(listener)
                handlers.append(aio.create_task(echo(conn)))

        async def client(address: Any, n: int) -> bool:
            lines = messages(n)
            expected = b"".join(lines)
            with socket.socket() as sock:
                sock.setblocking(False)
                await loop.sock_connect(sock, address)

                async def send() -> None:
                    for line in lines:
                        await loop.sock_sendall(sock, line)

                async def receive() -> bytes:
                    received = bytearray()
                    while len(received) < len(expected):
                        if not (chunk := await loop.sock_recv(sock, 65536)):
                            break
                        received += chunk
                    return bytes(received)

                _, echoed = await aio.gather(send(), receive())
            return bool(echoed == expected)

        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(CLIENTS)
            listener.setblocking(False)
            serving = aio.create_task(serve(listener))
            address = listener.getsockname()
            results = await aio.gather(*(client(address, n) for n in range(CLIENTS)))
            await serving
            await aio.gather(*handlers)
        return list(results)

    assert run_load(aio, main, "sock_* calls") == [True] * CLIENTS
