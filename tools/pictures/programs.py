"""The programs whose timelines the site shows, and what each picture says about its clock.

They are ordinary asyncio programs: ``asyncio`` below is tinyloop under asyncio's name, exactly
as ``python -m tinyloop script.py`` runs a script. ``recording.record`` runs one on the virtual
clock and keeps what the loop did; ``timeline`` draws it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import tinyloop as asyncio  # tinyloop standing in for asyncio, as `python -m tinyloop` does
from tinyloop.clock import VirtualTimeEventLoop
from tools.pictures.clocks import QUIET, new_quiet_sockets_loop, new_virtual_loop

# -- the tutorial's example ---------------------------------------------------------------------


async def my_async_func() -> None:
    print("Started my_async_func")
    await asyncio.sleep(2)
    print("Finished my_async_func")


async def main() -> None:
    print("Started main")
    await my_async_func()
    print("Finished main")


# -- three tasks gathered -------------------------------------------------------------------------


async def worker(delay: float) -> float:
    await asyncio.sleep(delay)
    return delay


async def gather_main() -> None:
    print(await asyncio.gather(worker(0.3), worker(0.1), worker(0.2)))


# -- a blocking call stalls every task ------------------------------------------------------------


async def sleeper() -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    await asyncio.sleep(0.1)
    late = loop.time() - start - 0.1  # 0.4 s on a quiet machine; more on a busy one
    print("sleeper: woke at least 0.4 s late:", late >= 0.4)


async def blocker() -> None:
    time.sleep(0.5)  # blocks the loop's one thread: no other task can run meanwhile


async def blocking_main() -> None:
    await asyncio.gather(sleeper(), blocker())


# -- a task cancelled while it sleeps -------------------------------------------------------------


async def cancellable() -> None:
    try:
        await asyncio.sleep(2)
    except asyncio.CancelledError:
        print("cancellable: cancelled, cleaning up")
        await asyncio.sleep(0.1)  # clean-up that awaits, like closing a connection
        raise


async def cancel_main() -> None:
    task = asyncio.create_task(cancellable())
    await asyncio.sleep(0.5)
    print("main: task.cancel()")
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print("main: the task is cancelled")


# -- an echo server and two clients ---------------------------------------------------------------


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while line := await reader.readline():
        writer.write(line)
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def client(name: str, port: int, stay: float) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"hello from {name}\n".encode())
    print(name, "got", (await reader.readline()).decode().strip())
    await asyncio.sleep(stay)  # the connection stays open, idle
    writer.close()
    await writer.wait_closed()


async def echo_main() -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        first = asyncio.create_task(client("A", port, stay=0.2))
        await asyncio.sleep(0.1)
        second = asyncio.create_task(client("B", port, stay=0.05))
        await asyncio.gather(first, second)


# -- the pictures ---------------------------------------------------------------------------------

VIRTUAL = "Virtual clock: the loop jumps to the next timer instead of waiting; steps take no time."


@dataclass(frozen=True)
class Program:
    name: str  # the picture's file name, without .svg
    title: str
    main: Callable[[], Coroutine[Any, Any, None]]
    clock: str  # what the picture says about the clock it was recorded on
    shows: tuple[Callable[..., Any], ...]  # the functions the block before the picture defines
    loop_factory: Callable[[], VirtualTimeEventLoop] = new_virtual_loop
    blocks: bool = False  # time.sleep moves the virtual clock (clocks.blocking_sleep)
    connections: tuple[str, ...] = ()  # names of the clients' connections, in order
    time_share: float = 0.45  # if the picture is crowded, the least of its width time gets


PROGRAMS = (
    Program(
        name="timeline_seed",
        title="The tutorial's example on the event loop: main() → my_async_func() → sleep(2)",
        main=main,
        shows=(my_async_func, main),
        clock=VIRTUAL,
    ),
    Program(
        name="timeline_gather",
        title="Three tasks gathered: sleeps of 0.3, 0.1 and 0.2 s overlap",
        main=gather_main,
        shows=(worker, gather_main),
        clock=VIRTUAL,
    ),
    Program(
        name="timeline_blocking",
        title="A blocking time.sleep(0.5) holds up a task whose sleep(0.1) was due",
        main=blocking_main,
        shows=(sleeper, blocker, blocking_main),
        clock=(
            "Virtual clock; time.sleep(0.5) moves it on by 0.5 s instead of waiting, and blocks "
            "the loop just as long."
        ),
        blocks=True,
    ),
    Program(
        name="timeline_cancel",
        title="A task cancelled while it sleeps: CancelledError at its await, then clean-up",
        main=cancel_main,
        shows=(cancellable, cancel_main),
        clock=VIRTUAL,
    ),
    Program(
        name="timeline_echo",
        title="An echo server and two clients: the selector wakes the loop for sockets and timers",
        main=echo_main,
        shows=(handle, client, echo_main),
        clock=(
            "Virtual clock, real sockets on 127.0.0.1: the clock jumps to the next timer once "
            f"the sockets have been quiet for {QUIET:g} s of real time."
        ),
        loop_factory=new_quiet_sockets_loop,
        connections=("A", "B"),
        time_share=0.25,
    ),
)
