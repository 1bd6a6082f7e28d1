"""The tables of a results document: ratios against asyncio, time per operation, and the
scaling verdicts, as Markdown (for the page) or as plain text (for the terminal).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench import contenders
from bench.results import PAIRS

TIMES = "\u00d7"  # the multiplication sign of "1.23x"
DASH = "\u2013"  # the en dash of a range, "1.20-1.30"
RATIO_HEADERS = (
    "tinyloop / asyncio",
    "asyncio-pure / asyncio",
    "uvloop / asyncio",
    "tinyloop / floor",
    "tinyloop / asyncio-pure",
)


def micro_names(document: dict[str, Any]) -> list[str]:
    return [name for name, entry in document["benchmarks"].items() if entry["kind"] == "micro"]


def scaling_names(document: dict[str, Any]) -> list[str]:
    return [name for name, entry in document["benchmarks"].items() if entry["kind"] != "micro"]


def format_ratio(entry: dict[str, Any], point: int = 0, spread: bool = True) -> str:
    """``1.23x`` (with the min and max of the per-round ratios), or why there is no ratio."""
    if entry["status"] != "measured":
        return str(entry["status"])
    p = entry["points"][point]
    text = f"{p['median']:.2f}{TIMES}"
    if spread and len(p["rounds"]) > 1:
        text += f" ({p['min']:.2f}{DASH}{p['max']:.2f})"
    return text


def format_time(seconds: float) -> str:
    """A duration per operation, in the unit that keeps it readable."""
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1e3:.2f} ms"


def format_value(entry: dict[str, Any], result: dict[str, Any], point: int = 0) -> str:
    if result["status"] != "measured":
        return str(result["status"])
    p = result["points"][point]
    if entry["kind"] == "memory":
        return f"{p['median']:,.0f} B"
    return format_time(p["median"])


def ratio_rows(document: dict[str, Any]) -> list[list[str]]:
    """Per microbenchmark: its title, asyncio's time per operation, and the four ratios."""
    rows = []
    for name in micro_names(document):
        entry = document["benchmarks"][name]
        asyncio = format_value(entry, entry["results"][contenders.ASYNCIO])
        ratios = [format_ratio(entry["ratios"][f"{top}/{bottom}"]) for top, bottom in PAIRS]
        rows.append([entry["title"], f"{asyncio} per {entry['unit']}", *ratios])
    return rows


def time_rows(document: dict[str, Any]) -> list[list[str]]:
    """Per microbenchmark: the median time per operation of every contender."""
    rows = []
    for name in micro_names(document):
        entry = document["benchmarks"][name]
        values = [format_value(entry, entry["results"][c]) for c in contenders.CONTENDERS]
        rows.append([f"{entry['title']} (per {entry['unit']})", *values])
    return rows


def scaling_rows(document: dict[str, Any]) -> list[list[str]]:
    """Per scaling benchmark and contender: the smallest and largest size, and the verdict."""
    rows = []
    for name in scaling_names(document):
        entry = document["benchmarks"][name]
        for contender in contenders.LOOPS:
            result = entry["results"][contender]
            if result["status"] != "measured":
                rows.append([entry["title"], contender, "", "", str(result["status"])])
                continue
            first, last = result["points"][0], result["points"][-1]
            grown = entry["growth"][contender]
            rows.append(
                [
                    entry["title"],
                    contender,
                    f"{format_value(entry, result, 0)} at {first['n']:,}",
                    f"{format_value(entry, result, -1)} at {last['n']:,}",
                    f"{grown['verdict']} ({TIMES}{grown['growth_factor']:.2f})",
                ]
            )
    return rows


def escape(text: str) -> str:
    """``text`` with the characters Markdown would take for emphasis or links escaped."""
    for special in "\\*[]`":
        text = text.replace(special, "\\" + special)
    return text


def markdown(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table; the first column left-aligned, the others right-aligned."""
    rows = [[escape(cell) for cell in row] for row in rows]
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join([":---", *["---:"] * (len(headers) - 1)]) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def text(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table with aligned columns."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in [list(headers), *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


RATIO_TABLE_HEADERS = ("benchmark", "asyncio", *RATIO_HEADERS)
TARGET_TABLE_HEADERS = (
    "benchmark",
    "the work",
    "target",
    "tinyloop / asyncio",
    "met",
    "tinyloop / asyncio-pure",
    "below asyncio-pure",
)
TIME_TABLE_HEADERS = ("benchmark", *contenders.CONTENDERS)
SCALING_TABLE_HEADERS = ("curve", "contender", "smallest size", "largest size", "growth")


def target_rows(document: dict[str, Any], targets: dict[str, float]) -> list[list[str]]:
    """Per microbenchmark with a target: the target for tinyloop / asyncio, the median ratio,
    whether it is met, and whether tinyloop is below asyncio-pure (median of the paired
    per-round ratios below 1)."""
    rows = []
    for name in micro_names(document):
        if name not in targets:
            continue
        entry = document["benchmarks"][name]
        target = targets[name]
        work = "the loop's" if target == 1.0 else "Task and Future objects"
        against_asyncio = entry["ratios"]["tinyloop/asyncio"]
        against_pure = entry["ratios"]["tinyloop/asyncio-pure"]
        rows.append(
            [
                entry["title"],
                work,
                f"{target:.1f}{TIMES}",
                format_ratio(against_asyncio),
                _verdict(against_asyncio, target, at_most=True),
                format_ratio(against_pure),
                _verdict(against_pure, 1.0, at_most=False),
            ]
        )
    return rows


def _verdict(ratio: dict[str, Any], limit: float, *, at_most: bool) -> str:
    """``yes`` if the median is at most ``limit`` (or below it, when not ``at_most``)."""
    if ratio["status"] != "measured":
        return str(ratio["status"])
    median = ratio["points"][0]["median"]
    return "yes" if median < limit or (at_most and median == limit) else "no"
