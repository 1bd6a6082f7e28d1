"""The page's plots, drawn with matplotlib as SVG, once per colour scheme.

Text stays text (``svg.fonttype: none``), ids are deterministic (``svg.hashsalt``) and no date is
written, so the same results draw the same files. Each file is then made to behave like the
site's other pictures: ``<title>`` and ``<desc>`` first (the text alternative), ``width="100%"``
and a ``viewBox`` but no fixed height (it scales), a transparent background, and no RDF metadata.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("svg")  # before pyplot is imported: no GUI backend is ever tried

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from bench import contenders, table
from bench.results import PAIRS

SCHEMES: dict[str, dict[str, Any]] = {
    "light": {
        "suffix": "",
        "text": "#1b1f24",
        "muted": "#59616d",
        "grid": "#d0d4dc",
        "colors": {
            contenders.TINYLOOP: "#3949ab",
            contenders.ASYNCIO: "#e8590c",
            contenders.ASYNCIO_PURE: "#8d6e63",
            contenders.UVLOOP: "#2b8a3e",
            contenders.FLOOR: "#59616d",
        },
    },
    "dark": {
        "suffix": "-dark",
        "text": "#e2e4e9",
        "muted": "#a9b0bc",
        "grid": "#3c4250",
        "colors": {
            contenders.TINYLOOP: "#8c9eff",
            contenders.ASYNCIO: "#ff8a50",
            contenders.ASYNCIO_PURE: "#bcaaa4",
            contenders.UVLOOP: "#69db7c",
            contenders.FLOOR: "#a9b0bc",
        },
    },
}
MARKERS = {
    contenders.TINYLOOP: "o",
    contenders.ASYNCIO: "s",
    contenders.ASYNCIO_PURE: "D",
    contenders.UVLOOP: "^",
    contenders.FLOOR: "v",
}


@dataclass(frozen=True)
class Plot:
    """One picture: its file name (without ``.svg``), its text alternative, how to draw it."""

    name: str
    title: str
    desc: str
    draw: Callable[[dict[str, Any], dict[str, Any]], Figure]


def _style(scheme: dict[str, Any]) -> Any:  # Any: matplotlib types its keys as literals
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": "tinyloop-bench",
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans", "Helvetica", "Arial", "sans-serif"],
        "font.size": 10,
        "text.color": scheme["text"],
        "axes.labelcolor": scheme["text"],
        "axes.edgecolor": scheme["muted"],
        "axes.facecolor": "none",
        "figure.facecolor": "none",
        "savefig.facecolor": "none",
        "xtick.color": scheme["text"],
        "ytick.color": scheme["text"],
        "grid.color": scheme["grid"],
        "legend.frameon": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _micro_entries(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [document["benchmarks"][name] for name in table.micro_names(document)]


def draw_ratios(document: dict[str, Any], scheme: dict[str, Any]) -> Figure:
    """Grouped bars: each loop's time per operation over asyncio's, per microbenchmark."""
    entries = _micro_entries(document)
    pairs = [pair for pair in PAIRS if pair[1] == contenders.ASYNCIO]
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(entries) + 1.4))
    height = 0.8 / len(pairs)
    for i, (top, bottom) in enumerate(pairs):
        ys, medians, lows, highs = [], [], [], []
        for row, entry in enumerate(entries):
            ratio = entry["ratios"][f"{top}/{bottom}"]
            if ratio["status"] != "measured":
                continue
            point = ratio["points"][0]
            ys.append(row + (i - (len(pairs) - 1) / 2) * height)
            medians.append(point["median"])
            lows.append(point["median"] - point["min"])
            highs.append(point["max"] - point["median"])
        if ys:
            ax.barh(
                ys,
                medians,
                height=height * 0.9,
                color=scheme["colors"][top],
                label=top,
                xerr=[lows, highs],
                error_kw={"ecolor": scheme["muted"], "lw": 0.8},
            )
    ax.axvline(1.0, color=scheme["text"], lw=1)
    ax.set_yticks(range(len(entries)), [entry["title"] for entry in entries])
    ax.invert_yaxis()
    ax.set_xlabel("time per operation ÷ asyncio's, same round (median; whiskers: min to max)")
    ax.grid(axis="x", lw=0.5)
    _legend_below(ax, len(pairs))
    fig.tight_layout()
    return fig


def draw_per_op(document: dict[str, Any], scheme: dict[str, Any]) -> Figure:
    """Dots on a log scale: every contender's time per operation, per microbenchmark."""
    entries = _micro_entries(document)
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(entries) + 1.4))
    names = contenders.CONTENDERS
    for i, name in enumerate(names):
        ys, xs, lows, highs = [], [], [], []
        for row, entry in enumerate(entries):
            result = entry["results"][name]
            if result["status"] != "measured":
                continue
            point = result["points"][0]
            ys.append(row + (i - (len(names) - 1) / 2) * 0.12)
            xs.append(point["median"] * 1e6)
            lows.append((point["median"] - point["min"]) * 1e6)
            highs.append((point["max"] - point["median"]) * 1e6)
        if ys:
            ax.errorbar(
                xs,
                ys,
                xerr=[lows, highs],
                fmt=MARKERS[name],
                color=scheme["colors"][name],
                label=name,
                ms=5,
                lw=0.8,
            )
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(_plain))
    ax.set_yticks(range(len(entries)), [f"{e['title']} (per {e['unit']})" for e in entries])
    ax.invert_yaxis()
    ax.set_xlabel("µs per operation (log scale; median, whiskers: min to max)")
    ax.grid(axis="x", which="both", lw=0.4)
    _legend_below(ax, len(names))
    fig.tight_layout()
    return fig


def _legend_below(ax: Any, columns: int) -> None:
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=columns, fontsize=8)


def _plain(value: float, _position: object) -> str:
    return f"{value:g}"  # 0.1, 1, 10: no mathtext powers of ten


def _thousands(value: float, _position: object) -> str:
    return f"{value:,.0f}"


def _draw_curve(
    name: str, ylabel: str, scale: float
) -> Callable[[dict[str, Any], dict[str, Any]], Figure]:
    def draw(document: dict[str, Any], scheme: dict[str, Any]) -> Figure:
        entry = document["benchmarks"][name]
        fig, ax = plt.subplots(figsize=(7, 3.8))
        for contender in contenders.LOOPS:
            result = entry["results"][contender]
            if result["status"] != "measured":
                continue
            points = result["points"]
            xs = [p["n"] for p in points]
            ys = [p["median"] * scale for p in points]
            err = [
                [(p["median"] - p["min"]) * scale for p in points],
                [(p["max"] - p["median"]) * scale for p in points],
            ]
            verdict = entry["growth"][contender]["verdict"]
            ax.errorbar(
                xs,
                ys,
                yerr=err,
                fmt="-" + MARKERS[contender],
                ms=5,
                lw=1.5,
                color=scheme["colors"][contender],
                label=f"{contender} ({verdict})",
            )
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
        ax.set_ylim(bottom=0)
        ax.set_xlabel(f"{entry['size_label']}: {entry['title']} (log scale)")
        ax.set_ylabel(ylabel)
        ax.grid(which="both", lw=0.4)
        ax.legend(fontsize=8, loc="best")
        fig.tight_layout()
        return fig

    return draw


def _describe_micro(document: dict[str, Any], pair: str) -> str:
    parts = []
    for entry in _micro_entries(document):
        ratio = entry["ratios"][pair]
        parts.append(f"{entry['title']} {table.format_ratio(ratio, spread=False)}")
    return "; ".join(parts)


def _describe_curve(document: dict[str, Any], name: str) -> str:
    entry = document["benchmarks"][name]
    parts = []
    for contender in contenders.LOOPS:
        result = entry["results"][contender]
        if result["status"] != "measured":
            continue
        grown = entry["growth"][contender]
        parts.append(
            f"{contender}: {table.format_value(entry, result, 0)} per {entry['unit']} at "
            f"{result['points'][0]['n']:,}, {table.format_value(entry, result, -1)} at "
            f"{result['points'][-1]['n']:,} ({grown['verdict']})"
        )
    return "; ".join(parts)


def plots(document: dict[str, Any]) -> list[Plot]:
    """Every plot of the page, with a text alternative written from the numbers."""
    found = [
        Plot(
            "bench_ratios",
            "Microbenchmarks: time per operation relative to asyncio",
            "Horizontal bars, one group per microbenchmark, of each loop's time per operation "
            "divided by asyncio's in the same round; 1 is as fast as asyncio, less is faster. "
            f"tinyloop: {_describe_micro(document, 'tinyloop/asyncio')}. asyncio without its C "
            f"accelerator: {_describe_micro(document, 'asyncio-pure/asyncio')}. uvloop: "
            f"{_describe_micro(document, 'uvloop/asyncio')}.",
            draw_ratios,
        ),
        Plot(
            "bench_per_op",
            "Microbenchmarks: time per operation of every contender",
            "Dots on a logarithmic scale of microseconds, one row per microbenchmark, one dot per "
            "contender (tinyloop, asyncio, asyncio-pure, uvloop and, where it applies, the floor: "
            "coroutine.send() with no loop). The table of times on the page gives the same "
            "numbers.",
            draw_per_op,
        ),
    ]
    curves = {
        "sleeping_tasks": ("µs per task", 1e6, "sleeping tasks"),
        "timers": ("µs per timer", 1e6, "timers"),
        "connections": ("µs per round trip", 1e6, "connections"),
        "sleeping_tasks_memory": ("bytes per task (tracemalloc)", 1.0, "sleeping tasks"),
    }
    for name, (ylabel, scale, counted) in curves.items():
        if name not in document["benchmarks"]:
            continue
        entry = document["benchmarks"][name]
        found.append(
            Plot(
                f"bench_scaling_{name}",
                f"Scaling: {entry['title']}",
                f"Lines of {ylabel} against the number of {counted} on a logarithmic "
                f"axis, one line per loop, each labelled with its growth verdict. "
                f"{_describe_curve(document, name)}.",
                _draw_curve(name, ylabel, scale),
            )
        )
    return found


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def finish_svg(svg: str, title: str, desc: str) -> str:
    """Make matplotlib's SVG scale like the site's pictures and carry its text alternative."""
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    match = _SVG_OPEN.search(svg)
    if match is None:
        raise ValueError("no <svg> element")
    tag = re.sub(r'\s(width|height)="[^"]*"', "", match.group(0))
    tag = tag[:-1].rstrip() + ' width="100%" role="img">'
    alternative = f"\n <title>{html.escape(title)}</title>\n <desc>{html.escape(desc)}</desc>"
    return svg[: match.start()] + tag + alternative + svg[match.end() :]


def write_all(document: dict[str, Any], folder: Path) -> list[Path]:
    """Draw every plot in both schemes into ``folder``; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for plot in plots(document):
        for scheme in SCHEMES.values():
            with plt.rc_context(_style(scheme)):
                fig = plot.draw(document, scheme)
                buffer = io.StringIO()
                fig.savefig(buffer, format="svg", metadata={"Date": None})
                plt.close(fig)
            path = folder / f"{plot.name}{scheme['suffix']}.svg"
            path.write_text(finish_svg(buffer.getvalue(), plot.title, plot.desc), encoding="utf-8")
            written.append(path)
    return written
