"""Every benchmark by name: what it measures, its unit, and its sizes in each mode.

A microbenchmark runs at one size; a scaling benchmark at several, from small to large, so the
growth of the cost of one operation can be read off. ``quick`` sizes are tiny (the tests run
them in seconds); ``full`` sizes are the ones the page reports.
"""

from __future__ import annotations

import resource
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

from bench import micro, network, scaling
from bench.floor import FLOORS

Kind = Literal["micro", "scaling", "memory"]
Workload = Callable[[ModuleType, int], Coroutine[Any, Any, float]]
MODES = ("quick", "full")

ROUNDS = {"quick": 2, "full": 9}
"""Rounds of a microbenchmark: each round runs every contender once, in a fresh process. Nine,
not five: on this VM a host's neighbours can slow a few seconds of a run, and two runs of five
rounds on an idle guest gave per-round ratios spread up to twice the median and medians that
moved by 0.3; the median of nine lets four such rounds pass."""
SCALING_ROUNDS = {"quick": 2, "full": 3}
"""Rounds of a scaling benchmark at each size, except the sizes from ``one_round_from`` on."""
SCALING_LOOPS = ("tinyloop", "asyncio", "uvloop")
"""The scaling curves compare the loops as shipped; asyncio-pure is in the microbenchmarks."""
FD_RESERVE = 64
"""File descriptors kept back from the limit for the child's own needs (stdio, the selector,
the loop's wake-up socket pair, the listener)."""
CONNECTIONS_CAP = 16_384
"""At most this many connections, even where the file-descriptor limit would allow more."""


def _same(n: int) -> int:
    return n


def _tenth(n: int) -> int:
    return max(1, n // 10)


def _ten(n: int) -> int:
    return min(n, 10)


def _tenth_at_most_10k(n: int) -> int:
    return max(1, min(10_000, n // 10))


@dataclass(frozen=True)
class Benchmark:
    """One benchmark: a workload, its unit of work, and the sizes it runs at."""

    name: str
    title: str
    unit: str  # what one operation is, for "µs per …"
    kind: Kind
    workload: Workload
    sizes: dict[str, tuple[int, ...]]
    description: str
    operations: Callable[[int], int] = _same  # operations done at size n
    warmup: Callable[[int], int] = _tenth  # the size of the untimed run before the timed one
    size_label: str = "n"
    loops: tuple[str, ...] | None = None  # the loops that take part (None: every one)
    # Over transports: glibc's malloc pinned (MALLOC_PINS), or asyncio's 256 KiB recv buffers
    # can come from fresh pages each time and halve asyncio's speed (the performance page).
    pin_malloc: bool = False
    one_round_from: int | None = None  # sizes from this on are measured in one round only

    @property
    def has_floor(self) -> bool:
        return self.name in FLOORS


def _one_level_less(depth: int) -> int:
    return max(1, depth - 1)


def connection_limit() -> int:
    """The most connections a child can hold open: two sockets each (client and server side)
    within the file-descriptor limit the child raises its soft limit to (the hard limit)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = hard if hard != resource.RLIM_INFINITY else 2 * CONNECTIONS_CAP + FD_RESERVE
    return max(10, min(CONNECTIONS_CAP, (limit - FD_RESERVE) // 2))


def _connection_sizes() -> tuple[int, ...]:
    top = connection_limit()
    return (*(size for size in (10, 100, 1000, 3000) if size < top), top)


MICRO = (
    Benchmark(
        "sleep0_switch",
        "sleep(0) switch",
        "switch",
        "micro",
        micro.sleep0_switch,
        {"quick": (2_000,), "full": (20_000,)},
        "One task awaits sleep(0) n times: each is a turn of the loop (one select call with a "
        "zero timeout) and one step of the task.",
    ),
    Benchmark(
        "call_soon_chain",
        "call_soon chain",
        "callback",
        "micro",
        micro.call_soon_chain,
        {"quick": (5_000,), "full": (50_000,)},
        "n callbacks, each scheduling the next with call_soon: one callback per turn of the "
        "loop, no task, no future.",
    ),
    Benchmark(
        "timers_due",
        "timers already due",
        "timer",
        "micro",
        micro.timers_due,
        {"quick": (5_000,), "full": (100_000,)},
        "n call_at timers whose deadlines (random, seeded) are already past: pushed on the "
        "heap, popped in one turn, run.",
    ),
    Benchmark(
        "timer_cancel",
        "timer cancel",
        "timer",
        "micro",
        micro.timer_cancel,
        {"quick": (5_000,), "full": (50_000,)},
        "n call_later timers an hour away, each cancelled, then two turns in which the loop "
        "drops them from its heap.",
    ),
    Benchmark(
        "future_ping_pong",
        "future ping-pong",
        "hand-over",
        "micro",
        micro.future_ping_pong,
        {"quick": (2_000,), "full": (20_000,)},
        "Two tasks hand a ball back and forth: each sets the future the other awaits, then "
        "awaits a new one of its own.",
    ),
    Benchmark(
        "spawn_and_gather",
        "spawn and gather",
        "task",
        "micro",
        micro.spawn_and_gather,
        {"quick": (2_000,), "full": (50_000,)},
        "n tasks of a coroutine that returns at once, created with create_task and awaited "
        "with one gather.",
    ),
    Benchmark(
        "random_sleepers",
        "random sleepers",
        "sleep",
        "micro",
        micro.random_sleepers,
        {"quick": (500,), "full": (20_000,)},
        f"n tasks under one gather, each sleeping {micro.SLEEPS_PER_SLEEPER} times for a "
        "random 0 to 1 ms (seeded): real sleeps, shorter than the loop needs to go round the "
        "tasks, so the loop never idles.",
        operations=micro.sleeper_operations,
    ),
    Benchmark(
        "echo_sockets",
        "TCP echo, sockets",
        "round trip",
        "micro",
        network.echo_sockets,
        {"quick": (300,), "full": (5_000,)},
        "One loopback TCP connection; the client sends 64 bytes with sock_sendall and reads "
        "them back with sock_recv; the server side echoes with the same calls.",
    ),
    Benchmark(
        "echo_streams",
        "TCP echo, streams",
        "round trip",
        "micro",
        network.echo_streams,
        {"quick": (300,), "full": (5_000,)},
        "The same echo over open_connection and start_server: write, drain, readexactly(64).",
        pin_malloc=True,
    ),
    Benchmark(
        "aiohttp_keepalive",
        "HTTP keep-alive, aiohttp",
        "request",
        "micro",
        network.aiohttp_keepalive,
        {"quick": (200,), "full": (3_000,)},
        "aiohttp's web server and client in one process: n GET requests one after another "
        "over one keep-alive connection (aiohttp's parsers are C; the loop's share is the "
        "transports and the tasks). tinyloop stands in for asyncio under aiohttp.",
        loops=("tinyloop", "asyncio", "uvloop"),
        pin_malloc=True,
    ),
    Benchmark(
        "gather_tree",
        "gather tree (async_tree)",
        "node",
        "micro",
        micro.gather_tree,
        {"quick": (3,), "full": (6,)},
        f"pyperformance's async_tree, 'none' variant: gather over {micro.TREE_BRANCHES} "
        "children per node, n levels deep; the leaves return at once. One operation is one "
        "node (a coroutine wrapped in a task by gather).",
        operations=micro.tree_nodes,
        warmup=_one_level_less,
        size_label="depth",
    ),
)

SCALING = (
    Benchmark(
        "sleeping_tasks",
        "sleeping tasks",
        "task",
        "scaling",
        scaling.sleeping_tasks,
        {"quick": (100, 300, 1_000), "full": (1_000, 10_000, 100_000, 1_000_000)},
        "n tasks spawned, each sleeping 1 ms on its own timer and then finishing: time per "
        "task, spawn to finish. The million is measured in one round (close to a minute per "
        "loop).",
        warmup=_tenth_at_most_10k,
        loops=SCALING_LOOPS,
        one_round_from=1_000_000,
    ),
    Benchmark(
        "sleeping_tasks_memory",
        "memory of sleeping tasks",
        "task",
        "memory",
        scaling.sleeping_tasks_memory,
        {"quick": (100, 300, 1_000), "full": (1_000, 10_000, 100_000)},
        "n tasks asleep at once (sleep(3600)): the bytes tracemalloc counts, per task. "
        "Measured once per size, in a child of its own, after a warm-up of 10 tasks; not at a "
        "million, where tracemalloc alone takes minutes.",
        warmup=_ten,
        loops=SCALING_LOOPS,
    ),
    Benchmark(
        "timers",
        "timers",
        "timer",
        "scaling",
        micro.timers_due,
        {"quick": (100, 300, 1_000), "full": (1_000, 10_000, 100_000, 1_000_000)},
        "n call_at timers already due, in random order, pushed on the heap and run: time "
        "per timer.",
        warmup=_tenth_at_most_10k,
        loops=SCALING_LOOPS,
    ),
    Benchmark(
        "connections",
        "concurrent connections",
        "round trip",
        "scaling",
        network.concurrent_connections,
        {"quick": (2, 8, 32), "full": _connection_sizes()},
        f"n loopback connections open at once, all echoing 64-byte messages at the same time, "
        f"about {network.MESSAGES_PER_SIZE:,} round trips in all at each size; opening them is "
        "not timed. The largest size is what the file-descriptor limit allows (two sockets per "
        "connection).",
        operations=network.connection_operations,
        loops=SCALING_LOOPS,
    ),
)

BENCHMARKS = {benchmark.name: benchmark for benchmark in (*MICRO, *SCALING)}

MALLOC_PINS = {"MALLOC_MMAP_THRESHOLD_": "4194304", "MALLOC_TRIM_THRESHOLD_": "67108864"}
"""glibc's thresholds, fixed for the rows over transports (``Benchmark.pin_malloc``): 4 MiB, so
a 256 KiB buffer comes from the heap and not from a fresh mapping, and 64 MiB before freed
memory goes back to the kernel."""


TARGETS = {
    "call_soon_chain": 1.0,
    "timers_due": 1.0,
    "timer_cancel": 1.0,
    "sleep0_switch": 1.0,
    "echo_sockets": 1.0,
    "echo_streams": 1.0,
    "future_ping_pong": 1.2,
    "spawn_and_gather": 1.2,
    "random_sleepers": 1.2,
    "gather_tree": 1.2,
}
"""tinyloop's targets, as tinyloop / asyncio (medians of one run): 1.0 where the work is the
loop's (callbacks, timers, a turn per operation, sockets), 1.2 where it is Task and Future
objects, which asyncio as shipped runs in C."""
