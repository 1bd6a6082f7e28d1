"""httpx's AsyncClient (on anyio's asyncio backend) against an asyncio-streams HTTP server."""

import asyncio

import httpx
from loops import run

handlers: list[asyncio.Task[None]] = []


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    handlers.append(asyncio.current_task())  # type: ignore[arg-type]
    while True:
        try:
            request = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            break  # the client closed the connection
        method, path, _ = request.split(b" ", 2)
        length = 0
        for line in request.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        body = await reader.readexactly(length)
        text = b"%s %s %d" % (method, path, len(body))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(text), text))
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main() -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        print((await client.get("/one")).text)
        print((await client.post("/two", content=b"x" * 1000)).text)
        replies = await asyncio.gather(*(client.get(f"/{n}") for n in range(10)))
        print("concurrent:", sorted({r.status_code for r in replies}), len(replies))
    await asyncio.gather(*handlers)  # each ends when the client has closed its connection
    server.close()
    await server.wait_closed()


run(main)
