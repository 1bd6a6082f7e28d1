"""websockets: a server and a client exchanging text and binary messages."""

from loops import run
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve


async def echo(websocket) -> None:  # type: ignore[no-untyped-def]
    async for message in websocket:
        await websocket.send(message)


async def main() -> None:
    async with serve(echo, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        async with connect(f"ws://127.0.0.1:{port}") as websocket:
            for message in ("hello", b"\x00\x01", "x" * 100_000):
                await websocket.send(message)
                reply = await websocket.recv()
                print(type(reply).__name__, len(reply), reply == message)


run(main)
