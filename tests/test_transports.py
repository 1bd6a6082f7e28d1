"""Transports and protocols: the contract of ``asyncio.Transport`` and ``asyncio.Protocol``, on
three loops: asyncio's own; tinyloop's loop under asyncio (loop mode, as one uses uvloop); and
tinyloop standing in for asyncio (stand-in mode). Each test is written once, against the module
the mode gives, and runs on all three. Everything listens on 127.0.0.1 or a Unix socket only.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import socket
import ssl
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import trustme

import tinyloop

BOUND = 10.0  # seconds: a test still running then has failed (rather than hung)


class Mode:
    """A module (``asyncio`` or ``tinyloop``) and a way to run a coroutine on some loop."""

    def __init__(self, name: str, aio: ModuleType, run: Callable[[Any], Any]) -> None:
        self.name, self.aio, self._run = name, aio, run

    def run(self, main: Coroutine[Any, Any, Any]) -> Any:
        async def bounded() -> Any:
            async with self.aio.timeout(BOUND):
                return await main

        return self._run(bounded())


def _loop_mode(main: Any) -> Any:
    with asyncio.Runner(loop_factory=tinyloop.new_event_loop) as runner:
        return runner.run(main)


MODES = {
    "asyncio": Mode("asyncio", asyncio, asyncio.run),
    "loop-mode": Mode("loop-mode", asyncio, _loop_mode),
    "stand-in": Mode("stand-in", tinyloop, tinyloop.run),
}


@pytest.fixture(params=list(MODES))
def mode(request: pytest.FixtureRequest) -> Mode:
    return MODES[request.param]


def recording_protocol(aio: ModuleType, base: str = "Protocol") -> Any:
    """A protocol class that records every call made to it, and resolves ``lost`` at the end."""

    class Recorder(getattr(aio, base)):  # type: ignore[misc]
        def __init__(self) -> None:
            self.calls: list[Any] = []
            self.transport: Any = None
            self.lost = aio.get_running_loop().create_future()
            self.keep_open_at_eof = False

        def connection_made(self, transport: Any) -> None:
            self.transport = transport
            self.calls.append("connection_made")

        def data_received(self, data: bytes) -> None:
            self.calls.append(("data_received", data))

        def eof_received(self) -> bool:
            self.calls.append("eof_received")
            return self.keep_open_at_eof

        def pause_writing(self) -> None:
            self.calls.append("pause_writing")

        def resume_writing(self) -> None:
            self.calls.append("resume_writing")

        def connection_lost(self, exc: Exception | None) -> None:
            self.calls.append(("connection_lost", exc))
            self.lost.set_result(exc)

    return Recorder


async def connected_pair(aio: ModuleType, protocol: Any = None) -> tuple[Any, Any, socket.socket]:
    """A transport and its protocol on one end of a socket pair; the other end, non-blocking."""
    ours, theirs = socket.socketpair()
    theirs.setblocking(False)
    loop = aio.get_running_loop()
    factory = protocol or recording_protocol(aio)
    transport, proto = await loop.create_connection(factory, sock=ours)
    return transport, proto, theirs


async def read_until_eof(aio: ModuleType, sock: socket.socket) -> bytes:
    loop = aio.get_running_loop()
    chunks = []
    while chunk := await loop.sock_recv(sock, 65536):
        chunks.append(chunk)
    return b"".join(chunks)


# -- the order of a protocol's calls ---------------------------------------------------------


def test_a_protocol_sees_made_data_eof_lost_in_that_order(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> list[Any]:
        _transport, proto, theirs = await connected_pair(aio)
        with theirs:
            await aio.get_running_loop().sock_sendall(theirs, b"ping")
            theirs.shutdown(socket.SHUT_WR)
            await proto.lost
        return proto.calls

    calls = mode.run(main())
    assert calls == [
        "connection_made",
        ("data_received", b"ping"),
        "eof_received",
        ("connection_lost", None),
    ], calls


def test_create_connection_returns_after_connection_made(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> list[Any]:
        transport, proto, theirs = await connected_pair(aio)
        calls = list(proto.calls)
        transport.close()
        await proto.lost
        theirs.close()
        return calls

    assert mode.run(main()) == ["connection_made"]


def test_connection_lost_comes_in_a_later_turn_than_close(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> tuple[list[Any], list[Any]]:
        transport, proto, theirs = await connected_pair(aio)
        transport.close()
        right_after = list(proto.calls)
        await proto.lost
        theirs.close()
        return right_after, proto.calls

    right_after, finally_ = mode.run(main())
    assert right_after == ["connection_made"]
    assert finally_ == ["connection_made", ("connection_lost", None)]


def test_eof_received_returning_true_keeps_the_transport_open_for_writing(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> tuple[bool, bytes, list[Any]]:
        transport, proto, theirs = await connected_pair(aio)
        proto.keep_open_at_eof = True
        theirs.shutdown(socket.SHUT_WR)
        while "eof_received" not in proto.calls:
            await aio.sleep(0)
        closing = transport.is_closing()
        transport.write(b"still here")
        transport.close()
        with theirs:
            echoed = await read_until_eof(aio, theirs)
        await proto.lost
        return closing, echoed, proto.calls

    closing, echoed, calls = mode.run(main())
    assert not closing
    assert echoed == b"still here"
    assert calls[-1] == ("connection_lost", None)


def test_a_buffered_protocol_receives_into_its_own_buffer(mode: Mode) -> None:
    aio = mode.aio

    class Into(aio.BufferedProtocol):  # type: ignore[name-defined,misc]
        def __init__(self) -> None:
            self.buffer = bytearray(4)
            self.received = bytearray()
            self.lost = aio.get_running_loop().create_future()

        def get_buffer(self, sizehint: int) -> memoryview:
            return memoryview(self.buffer)

        def buffer_updated(self, nbytes: int) -> None:
            self.received += self.buffer[:nbytes]

        def connection_lost(self, exc: Exception | None) -> None:
            self.lost.set_result(exc)

    async def main() -> bytes:
        _transport, proto, theirs = await connected_pair(aio, Into)
        with theirs:
            await aio.get_running_loop().sock_sendall(theirs, b"0123456789")
            theirs.shutdown(socket.SHUT_WR)
            await proto.lost
        return bytes(proto.received)

    assert mode.run(main()) == b"0123456789"


def test_a_failing_data_received_is_reported_and_loses_the_connection(mode: Mode) -> None:
    aio = mode.aio
    reports: list[dict[str, Any]] = []

    class Failing(recording_protocol(aio)):  # type: ignore[misc]
        def data_received(self, data: bytes) -> None:
            raise ZeroDivisionError

    async def main() -> Any:
        aio.get_running_loop().set_exception_handler(lambda loop, ctx: reports.append(ctx))
        _transport, proto, theirs = await connected_pair(aio, Failing)
        with theirs:
            await aio.get_running_loop().sock_sendall(theirs, b"x")
            return await proto.lost

    lost_with = mode.run(main())
    assert isinstance(lost_with, ZeroDivisionError)
    assert [r["message"] for r in reports] == ["Fatal error: protocol.data_received() call failed."]


# -- writing ---------------------------------------------------------------------------------


def test_write_buffer_limits_default_to_16_and_64_kib(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> tuple[Any, Any]:
        transport, proto, theirs = await connected_pair(aio)
        default = transport.get_write_buffer_limits()
        transport.set_write_buffer_limits(low=1000)
        only_low = transport.get_write_buffer_limits()
        transport.close()
        await proto.lost
        theirs.close()
        return default, only_low

    assert mode.run(main()) == ((16384, 65536), (1000, 4000))


def test_write_buffer_limits_must_be_ordered(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> str:
        transport, proto, theirs = await connected_pair(aio)
        try:
            transport.set_write_buffer_limits(high=10, low=20)
        except ValueError as exc:
            return str(exc)
        finally:
            transport.close()
            await proto.lost
            theirs.close()
        return "no error"

    assert mode.run(main()) == "high (10) must be >= low (20) must be >= 0"


def test_a_full_buffer_pauses_the_protocol_and_a_drained_one_resumes_it(mode: Mode) -> None:
    aio = mode.aio
    payload = b"x" * (4 * 1024 * 1024)  # more than any socket buffer takes at once

    async def main() -> tuple[list[Any], int]:
        transport, proto, theirs = await connected_pair(aio)
        transport.set_write_buffer_limits(high=64 * 1024)
        transport.write(payload)
        paused_at_once = list(proto.calls)
        transport.close()  # after the buffer is sent
        with theirs:
            received = len(await read_until_eof(aio, theirs))
        await proto.lost
        return paused_at_once + proto.calls[len(paused_at_once) :], received

    calls, received = mode.run(main())
    assert calls == [
        "connection_made",
        "pause_writing",
        "resume_writing",
        ("connection_lost", None),
    ]
    assert received == len(payload)


def test_write_eof_sends_eof_and_leaves_reading_open(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> tuple[bool, bytes, list[Any]]:
        transport, proto, theirs = await connected_pair(aio)
        can = transport.can_write_eof()
        transport.write(b"last words")
        transport.write_eof()
        with theirs:
            heard = await read_until_eof(aio, theirs)
            await aio.get_running_loop().sock_sendall(theirs, b"reply")
        await proto.lost
        return can, heard, proto.calls

    can, heard, calls = mode.run(main())
    assert can
    assert heard == b"last words"
    assert ("data_received", b"reply") in calls


def test_write_after_write_eof_is_refused(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> str:
        transport, proto, theirs = await connected_pair(aio)
        transport.write_eof()
        try:
            transport.write(b"more")
        except RuntimeError as exc:
            return str(exc)
        finally:
            transport.close()
            await proto.lost
            theirs.close()
        return "no error"

    assert mode.run(main()) == "Cannot call write() after write_eof()"


def test_write_refuses_what_is_not_bytes(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> str:
        transport, proto, theirs = await connected_pair(aio)
        try:
            transport.write("text")
        except TypeError as exc:
            return str(exc)
        finally:
            transport.close()
            await proto.lost
            theirs.close()
        return "no error"

    if sys.version_info >= (3, 14):  # asyncio's words changed in 3.14 (gh-138703)
        assert (
            mode.run(main())
            == "data argument must be a bytes, bytearray, or memoryview object, not 'str'"
        )
    else:
        assert mode.run(main()) == "data argument must be a bytes-like object, not 'str'"


def test_abort_drops_the_buffer_and_loses_the_connection_at_once(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> tuple[int, Any]:
        transport, proto, theirs = await connected_pair(aio)
        transport.write(b"x" * (4 * 1024 * 1024))
        transport.abort()
        dropped = transport.get_write_buffer_size()
        lost = await proto.lost
        theirs.close()
        return dropped, lost

    assert mode.run(main()) == (0, None)


# -- reading ---------------------------------------------------------------------------------


def test_pause_reading_holds_data_back_until_resume_reading(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> tuple[bool, bool, list[Any]]:
        transport, proto, theirs = await connected_pair(aio)
        transport.pause_reading()
        paused = transport.is_reading()
        await aio.get_running_loop().sock_sendall(theirs, b"held")
        # The socket is readable now, and no reader callback is registered for it: no data
        # can arrive, however many turns pass. One turn shows the callback is not there.
        await aio.sleep(0)
        before = [c for c in proto.calls if c != "connection_made"]
        transport.resume_reading()
        theirs.close()
        await proto.lost
        return paused, transport.is_reading(), before + proto.calls[1:]

    paused, reading_after_close, calls = mode.run(main())
    assert paused is False
    assert reading_after_close is False
    assert calls == [("data_received", b"held"), "eof_received", ("connection_lost", None)]


def test_extra_info_names_the_socket_and_both_addresses(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> tuple[bool, Any, Any]:
        server = await aio.get_running_loop().create_server(aio.Protocol, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        transport, proto = await aio.get_running_loop().create_connection(
            recording_protocol(aio), "127.0.0.1", port
        )
        sock = transport.get_extra_info("socket")
        info = (
            sock.getsockname() == transport.get_extra_info("sockname"),
            transport.get_extra_info("peername"),
            transport.get_extra_info("no such thing", "default"),
        )
        transport.close()
        await proto.lost
        server.close()
        await server.wait_closed()
        return info[0], info[1][1] == port, info[2]

    assert mode.run(main()) == (True, True, "default")


def test_the_socket_handed_out_refuses_to_be_made_blocking(mode: Mode) -> None:
    # asyncio wraps a transport's socket (and a server's) in trsock.TransportSocket: a
    # program may read it and set options, but not settimeout(), which would block the loop.
    aio = mode.aio

    async def main() -> list[bool]:
        server = await aio.get_running_loop().create_server(aio.Protocol, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        transport, proto = await aio.get_running_loop().create_connection(
            recording_protocol(aio), "127.0.0.1", port
        )
        handed_out = [server.sockets[0], transport.get_extra_info("socket")]
        refused = []
        for sock in handed_out:
            with pytest.raises(ValueError, match="settimeout"):
                sock.settimeout(1)
            refused.append(isinstance(sock, asyncio.trsock.TransportSocket))
        transport.close()
        await proto.lost
        server.close()
        await server.wait_closed()
        return refused

    assert mode.run(main()) == [True, True]


# -- connecting and serving ------------------------------------------------------------------


def test_create_connection_to_a_closed_port_is_refused(mode: Mode) -> None:
    aio = mode.aio
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def main() -> None:
        await aio.get_running_loop().create_connection(aio.Protocol, "127.0.0.1", port)

    with pytest.raises(ConnectionRefusedError):
        mode.run(main())


def test_create_connection_with_all_errors_raises_an_exception_group(mode: Mode) -> None:
    aio = mode.aio
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def main() -> None:
        loop = aio.get_running_loop()
        await loop.create_connection(aio.Protocol, "127.0.0.1", port, all_errors=True)

    if mode.name == "asyncio" and sys.version_info < (3, 12):
        pytest.skip("all_errors= is new in 3.12")
    with pytest.raises(ExceptionGroup) as caught:
        mode.run(main())
    assert caught.value.message == "create_connection failed"
    assert [type(e) for e in caught.value.exceptions] == [ConnectionRefusedError]


def test_a_socket_no_transport_took_is_closed_when_the_protocol_factory_fails(mode: Mode) -> None:
    # gh-153133 (3.14.10): create_connection(sock=) closes the socket if no transport took it.
    aio = mode.aio
    if mode.name == "asyncio" and sys.version_info < (3, 14):
        pytest.skip("asyncio closes the socket here from 3.14")

    def failing_factory() -> Any:
        raise ZeroDivisionError

    async def main() -> int:
        listener = socket.create_server(("127.0.0.1", 0))
        with listener:
            sock = socket.create_connection(listener.getsockname())
            with pytest.raises(ZeroDivisionError):
                await aio.get_running_loop().create_connection(failing_factory, sock=sock)
            return sock.fileno()

    assert mode.run(main()) == -1  # closed


def test_create_connection_refuses_host_and_sock_together(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> str:
        with socket.socket() as sock:
            try:
                await aio.get_running_loop().create_connection(
                    aio.Protocol, "127.0.0.1", 1, sock=sock
                )
            except ValueError as exc:
                return str(exc)
        return "no error"

    assert mode.run(main()) == "host/port and sock can not be specified at the same time"


def test_a_server_makes_one_protocol_per_connection(mode: Mode) -> None:
    aio = mode.aio
    made: list[Any] = []

    class Echo(aio.Protocol):  # type: ignore[name-defined,misc]
        def connection_made(self, transport: Any) -> None:
            self.transport = transport
            made.append(self)

        def data_received(self, data: bytes) -> None:
            self.transport.write(data)

    async def main() -> list[bytes]:
        server = await aio.get_running_loop().create_server(Echo, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        replies = []
        for n in range(3):
            reader, writer = await aio.open_connection("127.0.0.1", port)
            writer.write(b"%d\n" % n)
            replies.append(await reader.readline())
            writer.close()
            await writer.wait_closed()
        server.close()
        await server.wait_closed()
        return replies

    assert mode.run(main()) == [b"0\n", b"1\n", b"2\n"]
    assert len({id(p) for p in made}) == 3


def test_create_server_listens_on_each_host_of_a_list(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> list[str]:
        server = await aio.get_running_loop().create_server(
            aio.Protocol, ["127.0.0.1", "localhost"], 0
        )
        hosts = sorted({sock.getsockname()[0] for sock in server.sockets})
        server.close()
        await server.wait_closed()
        return hosts

    hosts = mode.run(main())
    assert "127.0.0.1" in hosts


def test_create_server_refuses_a_bool_for_ssl(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> None:
        await aio.get_running_loop().create_server(aio.Protocol, "127.0.0.1", 0, ssl=True)

    with pytest.raises(TypeError, match="ssl argument must be an SSLContext or None"):
        mode.run(main())


def test_a_port_in_use_names_the_address(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            await aio.get_running_loop().create_server(
                aio.Protocol, "127.0.0.1", port, reuse_address=False
            )

    with pytest.raises(OSError) as caught:
        mode.run(main())
    assert caught.value.errno == errno.EADDRINUSE
    assert "error while attempting to bind on address ('127.0.0.1'," in str(caught.value)


def test_start_serving_false_accepts_only_after_start_serving(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> tuple[bool, bool]:
        server = await aio.get_running_loop().create_server(
            aio.Protocol, "127.0.0.1", 0, start_serving=False
        )
        before = server.is_serving()
        await server.start_serving()
        after = server.is_serving()
        server.close()
        await server.wait_closed()
        return before, after

    assert mode.run(main()) == (False, True)


def test_serve_forever_closes_the_server_when_cancelled(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> tuple[bool, bool]:
        server = await aio.get_running_loop().create_server(aio.Protocol, "127.0.0.1", 0)
        serving = aio.ensure_future(server.serve_forever())
        await aio.sleep(0)
        serving.cancel()
        with contextlib.suppress(aio.CancelledError):
            await serving
        return serving.cancelled(), server.is_serving()

    assert mode.run(main()) == (True, False)


def test_cancelling_serve_forever_closes_a_client_that_hangs(mode: Mode) -> None:
    # gh-123720: else wait_closed() inside serve_forever() waits for that client for ever.
    aio = mode.aio
    if mode.name == "asyncio" and sys.version_info < (3, 14):
        pytest.skip("asyncio closes the clients when serve_forever is cancelled from 3.14")

    async def main() -> bytes:
        loop = aio.get_running_loop()
        accepted = aio.Event()

        class Accepting(aio.Protocol):  # type: ignore[name-defined,misc]
            def connection_made(self, transport: Any) -> None:
                accepted.set()

        server = await loop.create_server(Accepting, "127.0.0.1", 0)
        serving = aio.ensure_future(server.serve_forever())
        client = socket.create_connection(server.sockets[0].getsockname())
        with client:
            client.setblocking(False)
            await accepted.wait()  # the client hangs: it never sends, never closes
            serving.cancel()
            await aio.wait([serving])  # not `await serving`: the test's timeout must get through
            return await loop.sock_recv(client, 10)  # the server's side closed: EOF

    assert mode.run(main()) == b""


def test_wait_closed_waits_for_the_servers_connections(mode: Mode) -> None:
    aio = mode.aio
    if mode.name == "asyncio" and sys.version_info < (3, 12, 1):
        pytest.skip("asyncio's wait_closed waits for connections from 3.12.1")
    accepted: list[Any] = []

    class Keep(aio.Protocol):  # type: ignore[name-defined,misc]
        def connection_made(self, transport: Any) -> None:
            accepted.append(transport)

    async def main() -> list[str]:
        events = []
        server = await aio.get_running_loop().create_server(Keep, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        _reader, writer = await aio.open_connection("127.0.0.1", port)
        while not accepted:
            await aio.sleep(0)
        server.close()
        waiting = aio.ensure_future(server.wait_closed())
        await aio.sleep(0)
        events.append(f"wait_closed done before the connection closed: {waiting.done()}")
        accepted[0].close()
        await waiting
        events.append("wait_closed done after")
        writer.close()
        await writer.wait_closed()
        return events

    assert mode.run(main()) == [
        "wait_closed done before the connection closed: False",
        "wait_closed done after",
    ]


def test_connect_accepted_socket_serves_a_socket_accepted_elsewhere(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> bytes:
        theirs, ours = socket.socketpair()
        with theirs:
            loop = aio.get_running_loop()
            transport, proto = await loop.connect_accepted_socket(recording_protocol(aio), ours)
            transport.write(b"hello")
            transport.close()
            theirs.setblocking(False)
            heard = await read_until_eof(aio, theirs)
            await proto.lost
        return heard

    assert mode.run(main()) == b"hello"


def test_a_unix_server_replaces_a_stale_socket_and_removes_its_file(
    mode: Mode, tmp_path: Path
) -> None:
    aio = mode.aio
    if mode.name == "asyncio" and sys.version_info < (3, 13):
        pytest.skip("asyncio removes the socket file at close from 3.13")
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as stale:
        stale.bind(os.fspath(path))  # left behind, as by a server that crashed

    async def main() -> tuple[bytes, bool]:
        async def handle(reader: Any, writer: Any) -> None:
            writer.write(await reader.readline())
            writer.close()

        server = await aio.start_unix_server(handle, path)
        reader, writer = await aio.open_unix_connection(path)
        writer.write(b"over unix\n")
        echoed = await reader.readline()
        writer.close()
        await writer.wait_closed()
        server.close()
        await server.wait_closed()
        return echoed, path.exists()

    assert mode.run(main()) == (b"over unix\n", False)


# -- streams over transports -----------------------------------------------------------------


def test_a_stream_writer_exposes_its_transport(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> tuple[bool, bool]:
        async def handle(reader: Any, writer: Any) -> None:
            writer.close()

        server = await aio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await aio.open_connection("127.0.0.1", port)
        is_transport = isinstance(writer.transport, aio.Transport) or mode.name == "loop-mode"
        can = writer.can_write_eof()
        await reader.read()
        writer.close()
        await writer.wait_closed()
        server.close()
        await server.wait_closed()
        return is_transport, can

    assert mode.run(main()) == (True, True)


def test_a_stream_half_close_lets_the_server_answer_after_eof(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> bytes:
        async def handle(reader: Any, writer: Any) -> None:
            request = await reader.read()  # until our write_eof
            writer.write(request[::-1])
            writer.close()

        server = await aio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await aio.open_connection("127.0.0.1", port)
        writer.write(b"abc")
        writer.write_eof()
        answer = await reader.read()
        writer.close()
        await writer.wait_closed()
        server.close()
        await server.wait_closed()
        return bytes(answer)

    assert mode.run(main()) == b"cba"


def test_runs_awaitable(mode: Mode) -> None:
    """The harness itself: a coroutine's result comes back through every mode."""

    async def main() -> int:
        return 42

    assert mode.run(main()) == 42


# -- TLS -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a certificate for 127.0.0.1, and a client context that trusts it."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client


async def tls_echo_server(aio: ModuleType, server_ctx: ssl.SSLContext) -> tuple[Any, int]:
    async def echo(reader: Any, writer: Any) -> None:
        async for line in reader:
            writer.write(line)
        writer.close()

    server = await aio.start_server(echo, "127.0.0.1", 0, ssl=server_ctx)
    return server, server.sockets[0].getsockname()[1]


def test_streams_over_tls_carry_plain_text_both_ways(mode: Mode, tls: Any) -> None:
    aio = mode.aio
    server_ctx, client_ctx = tls

    async def main() -> tuple[list[bytes], str, bool]:
        server, port = await tls_echo_server(aio, server_ctx)
        reader, writer = await aio.open_connection(
            "127.0.0.1", port, ssl=client_ctx, server_hostname="127.0.0.1"
        )
        lines = []
        for text in (b"first\n", b"x" * 60_000 + b"\n"):
            writer.write(text)
            await writer.drain()
            lines.append(await reader.readline())
        version = writer.get_extra_info("ssl_object").version()
        can = writer.can_write_eof()
        writer.close()
        await writer.wait_closed()
        server.close()
        await server.wait_closed()
        return [line[:6] for line in lines], version, can

    lines, version, can = mode.run(main())
    assert lines == [b"first\n", b"xxxxxx"]
    assert version.startswith("TLS")
    assert can is False  # TLS cannot be half-closed


def test_a_certificate_the_client_does_not_trust_fails_the_handshake(mode: Mode, tls: Any) -> None:
    aio = mode.aio
    server_ctx, _ = tls

    async def main() -> None:
        server, port = await tls_echo_server(aio, server_ctx)
        try:
            await aio.open_connection("127.0.0.1", port, ssl=ssl.create_default_context())
        finally:
            server.close()
            await server.wait_closed()

    with pytest.raises(ssl.SSLCertVerificationError):
        mode.run(main())


def test_start_tls_upgrades_a_plain_connection(mode: Mode, tls: Any) -> None:
    aio = mode.aio
    server_ctx, client_ctx = tls

    async def main() -> tuple[bytes, bytes, bool]:
        async def handle(reader: Any, writer: Any) -> None:
            assert await reader.readline() == b"STARTTLS\n"
            writer.write(b"go ahead\n")
            await writer.drain()
            await writer.start_tls(server_ctx)
            writer.write((await reader.readline()).upper())
            writer.close()

        server = await aio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await aio.open_connection("127.0.0.1", port)
        writer.write(b"STARTTLS\n")
        plain = await reader.readline()
        await writer.start_tls(client_ctx, server_hostname="127.0.0.1")
        writer.write(b"secret\n")
        secret = await reader.readline()
        encrypted = writer.get_extra_info("sslcontext") is client_ctx
        writer.close()
        await writer.wait_closed()
        server.close()
        await server.wait_closed()
        return plain, secret, encrypted

    if mode.name == "asyncio" and sys.version_info < (3, 11):
        pytest.skip("StreamWriter.start_tls is new in 3.11")
    assert mode.run(main()) == (b"go ahead\n", b"SECRET\n", True)


def test_a_server_start_tls_reads_the_hello_its_stream_already_buffered(
    mode: Mode, tls: Any
) -> None:
    # The client starts TLS without waiting for an answer: its hello sits in the server's
    # stream buffer when the server calls start_tls. CPython's test_start_tls_buffered_data.
    aio = mode.aio
    server_ctx, client_ctx = tls

    async def main() -> bytes:
        async def handle(reader: Any, writer: Any) -> None:
            assert await reader.readline() == b"STARTTLS\n"
            if not reader._buffer:
                await reader._wait_for_data("test")  # the hello, as plain bytes
            await writer.start_tls(server_ctx)
            writer.write((await reader.readline()).upper())
            writer.close()

        server = await aio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await aio.open_connection("127.0.0.1", port)
        writer.write(b"STARTTLS\n")
        await writer.start_tls(client_ctx, server_hostname="127.0.0.1")
        writer.write(b"secret\n")
        secret = await reader.readline()
        writer.close()
        await writer.wait_closed()
        server.close()
        await server.wait_closed()
        return secret

    if mode.name == "asyncio" and sys.version_info < (3, 14):
        pytest.skip("asyncio before 3.14 leaves the hello in the stream's buffer, and hangs")
    assert mode.run(main()) == b"SECRET\n"


def test_a_tls_server_answers_the_peers_close_notify(mode: Mode, tls: Any) -> None:
    aio = mode.aio
    server_ctx, client_ctx = tls

    def blocking_client(port: int) -> str:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=5) as sock,
            client_ctx.wrap_socket(sock, server_hostname="127.0.0.1") as conn,
        ):
            conn.sendall(b"hello")
            try:
                conn.unwrap()  # sends close_notify, then waits for the server's
            except TimeoutError:
                return "no close_notify from the server"
            return "the server answered close_notify"

    async def main() -> tuple[str, list[Any]]:
        protocols: list[Any] = []

        def factory() -> Any:
            protocols.append(recording_protocol(aio)())
            return protocols[-1]

        server = await aio.get_running_loop().create_server(factory, "127.0.0.1", 0, ssl=server_ctx)
        port = server.sockets[0].getsockname()[1]
        answer = await aio.to_thread(blocking_client, port)
        await protocols[0].lost
        server.close()
        await server.wait_closed()
        return answer, protocols[0].calls

    answer, calls = mode.run(main())
    assert answer == "the server answered close_notify"
    assert calls == ["connection_made", ("data_received", b"hello"), "eof_received",
                     ("connection_lost", None)]  # fmt: skip


def test_an_unconnected_datagram_transport_closed_by_error_received_reports_each_error(
    mode: Mode,
) -> None:
    # asyncio drops a datagram sent after the loss only on a connected transport; CPython's
    # test_datagram_write_error_close_from_callback (3.14).
    aio = mode.aio

    async def main() -> int:
        loop = aio.get_running_loop()
        errors: list[BaseException] = []
        lost = loop.create_future()

        class Closing(aio.DatagramProtocol):  # type: ignore[name-defined,misc]
            def connection_made(self, transport: Any) -> None:
                self.transport = transport

            def error_received(self, exc: BaseException) -> None:
                errors.append(exc)
                self.transport.close()

            def connection_lost(self, exc: BaseException | None) -> None:
                lost.set_result(exc)

        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.bind(("127.0.0.1", 0))
        transport, _ = await loop.create_datagram_endpoint(Closing, sock=sock)
        address = sock.getsockname()
        transport.sendto(b"\0" * 70000, address)  # too big for UDP: EMSGSIZE
        transport.sendto(b"\0" * 70000, address)
        await lost
        return len(errors)

    assert mode.run(main()) == 2


def test_a_datagram_address_must_be_a_host_and_port_pair(mode: Mode) -> None:
    aio = mode.aio

    async def main() -> None:
        await aio.get_running_loop().create_datagram_endpoint(
            aio.DatagramProtocol, local_addr="127.0.0.1"
        )

    with pytest.raises(TypeError, match="2-tuple is expected"):
        mode.run(main())


def test_a_datagram_endpoint_on_a_socket_refuses_allow_broadcast(mode: Mode) -> None:
    # Every option that would shape a new socket is refused beside sock=, allow_broadcast too.
    aio = mode.aio

    async def main() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            await aio.get_running_loop().create_datagram_endpoint(
                aio.DatagramProtocol, sock=sock, allow_broadcast=True
            )

    with pytest.raises(ValueError, match="can not be used when sock is specified"):
        mode.run(main())


def test_a_unix_datagram_endpoint_replaces_a_stale_socket_file(mode: Mode, tmp_path: Path) -> None:
    aio = mode.aio
    path = os.fspath(tmp_path / "d")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as stale:
        stale.bind(path)  # left behind, as by a program that crashed

    async def main() -> str:
        transport, _ = await aio.get_running_loop().create_datagram_endpoint(
            aio.DatagramProtocol, path, family=socket.AF_UNIX
        )
        name = transport.get_extra_info("sockname")
        transport.close()
        return str(name)

    assert mode.run(main()) == path


def test_create_server_asks_getaddrinfo_for_every_interface(mode: Mode) -> None:
    # Host "" (or None) means every interface: it goes to loop.getaddrinfo as None, which a
    # program may replace; a lookup that finds nothing is an OSError.
    aio = mode.aio

    async def main() -> list[Any]:
        loop = aio.get_running_loop()
        asked: list[Any] = []

        async def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> list[Any]:
            asked.append(host)
            return []

        loop.getaddrinfo = getaddrinfo
        with pytest.raises(OSError, match="getaddrinfo"):
            await loop.create_server(aio.Protocol, "", 0)
        return asked

    assert mode.run(main()) == [None]
