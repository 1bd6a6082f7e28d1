"""UDP: a datagram endpoint that echoes, and a client endpoint connected to it."""

import asyncio

from loops import run


class Echo(asyncio.DatagramProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        print("server got", data)
        self.transport.sendto(data, addr)  # type: ignore[attr-defined]


class Client(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.replies: asyncio.Queue[bytes] = asyncio.Queue()
        self.closed = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.replies.put_nowait(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed.set_result(exc)


async def main() -> None:
    loop = asyncio.get_running_loop()
    server, _ = await loop.create_datagram_endpoint(Echo, local_addr=("127.0.0.1", 0))
    address = server.get_extra_info("sockname")
    client, protocol = await loop.create_datagram_endpoint(Client, remote_addr=address)
    for message in (b"ping", b"pong"):
        client.sendto(message)
        assert await protocol.replies.get() == message
    client.close()
    print("closed:", await protocol.closed)
    server.close()


run(main)
