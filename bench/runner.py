"""The parent: starts one child process per measurement, interleaved, and collects the results.

For each benchmark, each round runs every contender once, one after the other (A B C A B C …),
each in a fresh ``python -m bench.child`` process, so whatever slows the machine down for a
while slows every contender of that round alike. A scaling benchmark runs every size in each
round. The memory benchmark runs once per size (``tracemalloc``'s count does not depend on how
busy the machine is). A child that fails stops the run: ``ChildFailed`` carries its stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import contenders
from bench.catalogue import MALLOC_PINS, ROUNDS, SCALING_ROUNDS, Benchmark

ROOT = Path(__file__).resolve().parent.parent
CHILD_TIMEOUT = 900  # seconds; the largest child takes well under a minute
# Settings that would change what a child measures (debug modes, allocator hooks, warnings).
_UNSET = (
    "PYTHONASYNCIODEBUG",
    "PYTHONDEVMODE",
    "PYTHONMALLOC",
    "PYTHONMALLOCSTATS",
    "PYTHONPROFILEIMPORTTIME",
    "PYTHONTRACEMALLOC",
    "PYTHONWARNINGS",
)

Progress = Callable[[str], None]


class ChildFailed(RuntimeError):
    """A child process exited with an error; the message holds its command and stderr."""


@dataclass
class RawRun:
    """Everything the children reported: ``values[benchmark][contender][n]`` holds one value per
    round (seconds per operation, or bytes per task for memory), in round order."""

    mode: str
    probes: dict[str, dict[str, Any]]
    values: dict[str, dict[str, dict[int, list[float]]]] = field(default_factory=dict)
    children: int = 0
    seconds: float = 0.0


def _environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _UNSET}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return {**env, **(extra or {})}


def run_child(args: Sequence[str], extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``python -m bench.child ARGS`` and return the JSON object it printed."""
    command = [sys.executable, "-m", "bench.child", *args]
    try:
        done = subprocess.run(
            command,
            cwd=ROOT,
            env=_environment(extra_env),
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ChildFailed(f"{' '.join(args)}: no answer within {CHILD_TIMEOUT} s") from exc
    if done.returncode != 0:
        raise ChildFailed(
            f"`{' '.join(command[1:])}` exited with status {done.returncode}:\n{done.stderr}"
        )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def probe_all() -> dict[str, dict[str, Any]]:
    """Each contender set up in a child of its own: available or not, and what it runs."""
    return {name: run_child(["--probe", name]) for name in contenders.CONTENDERS}


def who_runs(benchmark: Benchmark, probes: dict[str, dict[str, Any]]) -> list[str]:
    """The contenders that take part in ``benchmark``, in interleaving order."""
    taking_part = benchmark.loops or contenders.LOOPS
    loops = [name for name in taking_part if probes[name]["available"]]
    if benchmark.kind == "micro" and benchmark.has_floor:
        loops.append(contenders.FLOOR)
    return loops


def rounds_of(benchmark: Benchmark, mode: str) -> int:
    if benchmark.kind == "memory":
        return 1
    return (ROUNDS if benchmark.kind == "micro" else SCALING_ROUNDS)[mode]


def run_suite(mode: str, benchmarks: Sequence[Benchmark], progress: Progress) -> RawRun:
    """Measure every benchmark in ``benchmarks`` on every available contender."""
    started = time.perf_counter()
    raw = RawRun(mode=mode, probes=probe_all())
    plan = [
        (benchmark, round_, n, name)
        for benchmark in benchmarks
        for round_ in range(rounds_of(benchmark, mode))
        for n in benchmark.sizes[mode]
        if round_ == 0 or benchmark.one_round_from is None or n < benchmark.one_round_from
        for name in who_runs(benchmark, raw.probes)
    ]
    for done, (benchmark, round_, n, name) in enumerate(plan, 1):
        child_started = time.perf_counter()
        pins = MALLOC_PINS if benchmark.pin_malloc else None
        result = run_child([name, benchmark.name, str(n)], pins)
        child_seconds = time.perf_counter() - child_started
        value = result["bytes_per_op"] if benchmark.kind == "memory" else result["per_op"]
        per_size = raw.values.setdefault(benchmark.name, {}).setdefault(name, {})
        per_size.setdefault(n, []).append(float(value))
        shown = f"{value:.0f} B" if benchmark.kind == "memory" else f"{value * 1e6:.3f} µs"
        progress(
            f"[{done}/{len(plan)}] {benchmark.name} {benchmark.size_label}={n} "
            f"round {round_ + 1} {name}: {shown} per {benchmark.unit} ({child_seconds:.2f} s)"
        )
    raw.children = len(plan) + len(contenders.CONTENDERS)
    raw.seconds = time.perf_counter() - started
    return raw
