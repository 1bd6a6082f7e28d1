"""anyio on its asyncio backend: a task group, cancel scopes, a thread, memory streams, TCP."""

import anyio
from loops import run


async def worker(n: int, send: anyio.abc.ObjectSendStream[int]) -> None:
    async with send:
        await anyio.sleep(0.01 * n)
        await send.send(n * n)


async def echo(client: anyio.abc.SocketStream) -> None:
    async with client:
        await client.send((await client.receive()).upper())


async def main() -> None:
    send, receive = anyio.create_memory_object_stream[int](10)
    async with anyio.create_task_group() as tg, send:
        for n in range(4):
            tg.start_soon(worker, n, send.clone())
    async with receive:
        print("squares:", sorted([x async for x in receive]))
    with anyio.move_on_after(0.05) as scope:
        await anyio.sleep(10)
    print("moved on:", scope.cancelled_caught)
    print("thread:", await anyio.to_thread.run_sync(sum, [1, 2, 3]))
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(anyio.sleep, 10)
            raise ValueError("boom")
    except* ValueError as group:
        print("group:", [str(e) for e in group.exceptions])
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, echo)
        async with await anyio.connect_tcp("127.0.0.1", port) as stream:
            await stream.send(b"over tcp")
            print("tcp:", await stream.receive())
        tg.cancel_scope.cancel()
    await listener.aclose()


run(main)
