"""The JSON document of a run: the machine, the method, and for every benchmark every raw value,
its summary (median and spread), the ratios against asyncio and, for scaling, the growth verdict.

Layout (``SCHEMA`` 1)::

    {"schema", "mode", "date", "wall_seconds", "machine", "method", "contenders",
     "benchmarks": {NAME: {"title", "kind", "unit", "value_unit", "description",
                           "size_label", "sizes", "rounds",
                           "results": {CONTENDER: {"status": "measured",
                                                   "points": [{"n", "operations", "rounds",
                                                               "median", "min", "max",
                                                               "q1", "q3"}]}
                                      | {"status": "not installed" | "not applicable",
                                         "reason"}},
                           "ratios": {"tinyloop/asyncio": {...same shape...}, ...},
                           "growth": {CONTENDER: {"verdict", ...}}}}}

Values are seconds per operation (bytes per task for the memory benchmark), one per round.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import contenders, growth, stats
from bench.catalogue import FD_RESERVE, Benchmark
from bench.machine import load_average
from bench.runner import RawRun, rounds_of, who_runs

SCHEMA = 1
PAIRS = (
    (contenders.TINYLOOP, contenders.ASYNCIO),
    (contenders.ASYNCIO_PURE, contenders.ASYNCIO),
    (contenders.UVLOOP, contenders.ASYNCIO),
    (contenders.TINYLOOP, contenders.FLOOR),
    (contenders.TINYLOOP, contenders.ASYNCIO_PURE),
)
"""The ratios the page reports, numerator over denominator, computed round by round."""

METHOD = {
    "process": "every measurement in a fresh child process (python -m bench.child)",
    "order": "interleaved: each round runs every contender once, one after the other",
    "warm_up": "in each child, one untimed run at a tenth of the size (at most 10,000 for the "
    "scaling curves, one level less for the gather tree) before the timed run; 10 tasks for memory",
    "timer": "time.perf_counter around the operations only, inside the running loop; the loop's "
    "creation and closing are not counted",
    "garbage_collector": "enabled, as in a real program; gc.collect() before the timed run",
    "summary": "median of the rounds; spread as min/max and quartiles (inclusive method)",
    "ratios": "per round, contender / asyncio of the same round; the median of those ratios",
    "memory": "tracemalloc: bytes allocated through Python's allocators and still held while "
    "all tasks sleep, divided by the number of tasks (not RSS)",
    "growth": "",
    "leaks": "a child fails if its timed run leaves a file descriptor open or an object reports "
    "an error when destroyed (ResourceWarning turned into an error)",
    "fd_reserve": FD_RESERVE,
}


def _unavailable(name: str, benchmark: Benchmark, probes: dict[str, Any]) -> dict[str, Any]:
    if benchmark.loops is not None and name not in benchmark.loops and name != contenders.FLOOR:
        return {
            "status": "not applicable",
            "reason": "the scaling curves compare the loops as shipped (tinyloop, asyncio, uvloop)",
        }
    if not probes[name]["available"]:
        return {"status": "not installed", "reason": probes[name].get("reason", "unavailable")}
    if name == contenders.FLOOR:
        return {
            "status": "not applicable",
            "reason": "no coroutine-only equivalent of this work (callbacks, timers or sockets)",
        }
    raise AssertionError(f"{name} was available for {benchmark.name} yet not measured")


def _points(benchmark: Benchmark, per_size: dict[int, list[float]]) -> list[dict[str, Any]]:
    return [
        {
            "n": n,
            "operations": benchmark.operations(n),
            "rounds": values,
            **stats.summarize(values),
        }
        for n, values in sorted(per_size.items())
    ]


def _benchmark_entry(benchmark: Benchmark, raw: RawRun) -> dict[str, Any]:
    measured = raw.values.get(benchmark.name, {})
    results: dict[str, Any] = {}
    for name in contenders.CONTENDERS:
        if name in measured:
            results[name] = {"status": "measured", "points": _points(benchmark, measured[name])}
        else:
            results[name] = _unavailable(name, benchmark, raw.probes)
    ratios: dict[str, Any] = {}
    for top, bottom in PAIRS:
        key = f"{top}/{bottom}"
        if top in measured and bottom in measured:
            per_size = {
                n: stats.paired_ratios(measured[top][n], measured[bottom][n]) for n in measured[top]
            }
            ratios[key] = {"status": "measured", "points": _points(benchmark, per_size)}
        else:
            missing = bottom if bottom not in measured else top
            ratios[key] = results[missing]
    entry: dict[str, Any] = {
        "title": benchmark.title,
        "kind": benchmark.kind,
        "unit": benchmark.unit,
        "value_unit": "bytes per task" if benchmark.kind == "memory" else "seconds per operation",
        "description": benchmark.description,
        "size_label": benchmark.size_label,
        "sizes": list(benchmark.sizes[raw.mode]),
        "rounds": rounds_of(benchmark, raw.mode),
        "contenders": who_runs(benchmark, raw.probes),
        "results": results,
        "ratios": ratios,
    }
    if benchmark.kind != "micro":
        entry["growth"] = _growth(results)
    return entry


def _growth(results: dict[str, Any]) -> dict[str, growth.Growth]:
    """Each measured contender's growth verdict, from its medians per size."""
    return {
        name: growth.classify(
            [point["n"] for point in result["points"]],
            [point["median"] for point in result["points"]],
        )
        for name, result in results.items()
        if result["status"] == "measured"
    }


def build(
    raw: RawRun, benchmarks: Sequence[Benchmark], machine: dict[str, Any], date: datetime.datetime
) -> dict[str, Any]:
    """The whole document, from what the runner collected."""
    machine = {**machine, "load_average_at_end": load_average()}
    method = {**METHOD, "growth": growth.classify([1, 2, 3], [1.0, 1.0, 1.0])["rule"]}
    contender_info = {
        name: {
            "status": "measured" if probe["available"] else "not installed",
            "description": contenders.DESCRIPTIONS[name],
            **{key: value for key, value in probe.items() if key != "available"},
        }
        for name, probe in raw.probes.items()
    }
    return {
        "schema": SCHEMA,
        "mode": raw.mode,
        "date": date.isoformat(timespec="seconds"),
        "wall_seconds": round(raw.seconds, 1),
        "children": raw.children,
        "machine": machine,
        "method": method,
        "contenders": contender_info,
        "benchmarks": {
            benchmark.name: _benchmark_entry(benchmark, raw) for benchmark in benchmarks
        },
    }


def write(document: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if document.get("schema") != SCHEMA:
        raise ValueError(f"{path}: not a bench results file of schema {SCHEMA}")
    # The verdicts are derived from the stored medians: recompute them, so that the page always
    # applies today's rule (bench/growth.py) to the measurements, never a stale verdict.
    document["method"]["growth"] = growth.classify([1, 2, 3], [1.0, 1.0, 1.0])["rule"]
    for entry in document["benchmarks"].values():
        if entry["kind"] != "micro":
            entry["growth"] = _growth(entry["results"])
    return document
