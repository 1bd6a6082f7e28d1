"""The child process: one benchmark, on one contender, at one size; the result as JSON on stdout.

``python -m bench.child CONTENDER BENCHMARK N`` sets the contender up first (before anything
imports asyncio), raises its file-descriptor soft limit to the hard one, runs the workload once
untimed at a smaller size (the warm-up), collects garbage, runs it again timed (a new loop each
time), and prints one JSON object. ``python -m bench.child --probe CONTENDER`` only sets the
contender up and says whether it is available, and what it is.

A child must leave nothing open: it fails (exit status 1, the reason on stderr) if the timed run
ends with more file descriptors than it started with, or if any object reported an error while being
destroyed (a ``ResourceWarning`` for an unclosed socket or loop counts: it is turned into an
error). The runner makes the whole run fail with that stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import resource
import sys
import warnings
from typing import Any

from bench import contenders


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        # Where this is not allowed, the connection sizes (chosen from the hard limit) fail loudly.
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _open_fds() -> int | None:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return None  # not Linux: the check is skipped


class _Leaks:
    """Collects what ``sys.unraisablehook`` reports: errors in ``__del__``, ResourceWarnings."""

    def __init__(self) -> None:
        self.reports: list[str] = []

    def hook(self, unraisable: Any) -> None:
        self.reports.append(f"{unraisable.err_msg or 'error'}: {unraisable.exc_value!r}")


def _probe(name: str) -> dict[str, Any]:
    if name == contenders.FLOOR:
        return {"available": True, "version": None}
    try:
        flavour = contenders.set_up(name)
    except contenders.ContenderUnavailable as exc:
        return {"available": False, "reason": str(exc)}
    future = flavour.aio.Future
    task = flavour.aio.Task
    return {
        "available": True,
        "version": contenders.version(name),
        "future_class": f"{future.__module__}.{future.__qualname__}",
        "task_class": f"{task.__module__}.{task.__qualname__}",
    }


def _measure(name: str, benchmark_name: str, n: int, leaks: _Leaks) -> dict[str, Any]:
    flavour = None if name == contenders.FLOOR else contenders.set_up(name)
    from bench.catalogue import BENCHMARKS  # after set_up: the workloads import no asyncio
    from bench.floor import FLOORS

    benchmark = BENCHMARKS[benchmark_name]

    def run(size: int) -> float:
        if flavour is None:
            return FLOORS[benchmark_name](size)
        return float(flavour.run(benchmark.workload, size))

    run(benchmark.warmup(n))
    # Counted after the warm-up: a loop may open something once per process (uvloop does).
    gc.collect()
    fds_before = _open_fds()
    value = run(n)
    gc.collect()
    fds_after = _open_fds()
    if fds_before is not None and fds_after is not None and fds_after > fds_before:
        leaks.reports.append(f"{fds_after - fds_before} file descriptor(s) left open")
    operations = benchmark.operations(n)
    result: dict[str, Any] = {"contender": name, "benchmark": benchmark_name, "n": n}
    if benchmark.kind == "memory":
        result["bytes_per_op"] = value
    else:
        result.update(operations=operations, seconds=value, per_op=value / operations)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.child", description=__doc__)
    parser.add_argument("--probe", action="store_true", help="only set the contender up")
    parser.add_argument("contender", choices=contenders.CONTENDERS)
    parser.add_argument("benchmark", nargs="?")
    parser.add_argument("n", nargs="?", type=int)
    args = parser.parse_args(argv)
    if args.probe:
        print(json.dumps(_probe(args.contender)))
        return 0
    if args.benchmark is None or args.n is None:
        parser.error("BENCHMARK and N are needed (or --probe)")

    _raise_fd_limit()
    warnings.simplefilter("error", ResourceWarning)
    leaks = _Leaks()
    sys.unraisablehook = leaks.hook
    result = _measure(args.contender, args.benchmark, args.n, leaks)
    if leaks.reports:
        where = f"{args.contender} {args.benchmark} n={args.n}"
        print(f"{where}: {'; '.join(leaks.reports)}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
