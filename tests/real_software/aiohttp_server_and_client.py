"""aiohttp: a web server and a client in one process, over keep-alive HTTP on 127.0.0.1."""

import asyncio

from aiohttp import ClientSession, web
from loops import run


async def hello(request: web.Request) -> web.Response:
    return web.Response(text=f"hello {request.match_info['name']}")


async def echo(request: web.Request) -> web.Response:
    return web.json_response({"got": await request.json()})


async def main() -> None:
    app = web.Application()
    app.router.add_get("/hello/{name}", hello)
    app.router.add_post("/echo", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    async with ClientSession(f"http://127.0.0.1:{port}") as session:
        for name in ("a", "b"):
            async with session.get(f"/hello/{name}") as response:
                print(response.status, await response.text())
        async with session.post("/echo", json=[1, 2, 3]) as response:
            print(response.status, await response.json())
        replies = await asyncio.gather(*(session.get(f"/hello/{n}") for n in range(20)))
        print("concurrent:", sorted({r.status for r in replies}), len(replies))
        for reply in replies:
            reply.release()
    await runner.cleanup()


run(main)
