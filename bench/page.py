"""``python -m bench.page RESULTS.json``: draw the plots into ``images/`` and write the
performance page, ``docs/performance.md``, from a results file.

The prose is hand-written in ``bench/performance.md.tmpl``; this module fills its ``$name``
placeholders with the machine, the method, the tables, the plots and the numbers the prose
quotes, so ``make bench`` regenerates the whole page from the JSON. ``--images`` and ``--page``
write elsewhere (the tests use a temporary folder).
"""

from __future__ import annotations

import argparse
import string
import sys
from pathlib import Path
from typing import Any

from bench import catalogue, contenders, plots, results, table

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("performance.md.tmpl")


# How far the same median moved between three full runs on the machine of the page (2026-12-03:
# future ping-pong against asyncio-pure, 0.96x, 0.96x, 1.04x): a ratio within this of 1 is even.
NOISE = 0.08


def _key(text: str) -> str:
    return text.replace("-", "_").replace("/", "_")


def picture(name: str, alt: str) -> str:
    """The pair of links a page shows a picture with: light and dark."""
    alt = table.escape(alt)
    return f"![{alt}](images/{name}.svg#only-light)\n![{alt}](images/{name}-dark.svg#only-dark)"


def _machine(document: dict[str, Any]) -> str:
    m = document["machine"]
    memory = f"{m['memory_bytes'] / 2**30:.0f} GiB" if m.get("memory_bytes") else "unknown"
    versions = ", ".join(f"{name} {version}" for name, version in m["versions"].items())
    load = m.get("load_average_at_start")
    lines = [
        f"- CPU: {m['cpu_model']}, {m['cpu_count']} logical cores ({m['cpus_usable']} usable)",
        f"- memory: {memory}; OS: {m['os']} (kernel {m['kernel']})",
        f"- Python: {m['python_implementation']} {m['python_version']} ({m['python_compiler']})",
        f"- packages: {versions}",
        f"- file-descriptor limit: {m['fd_limit']['soft']:,} soft, {m['fd_limit']['hard']:,} hard",
        f"- load average (1, 5, 15 min) at the start: {load}; at the end: "
        f"{m.get('load_average_at_end')}",
        f"- run: `{document['mode']}` mode, {document['date']}, {document['children']} child "
        f"processes in {document['wall_seconds']:.0f} s",
    ]
    return "\n".join(lines)


def _method(document: dict[str, Any]) -> str:
    method = document["method"]
    keys = (
        "process",
        "order",
        "warm_up",
        "timer",
        "garbage_collector",
        "summary",
        "ratios",
        "memory",
        "growth",
        "leaks",
    )
    return "\n".join(f"- **{key.replace('_', ' ')}**: {method[key]}." for key in keys)


def _descriptions(document: dict[str, Any]) -> str:
    lines = []
    for entry in document["benchmarks"].values():
        sizes = ", ".join(f"{size:,}" for size in entry["sizes"])
        lines.append(
            f"- **{table.escape(entry['title'])}** ({entry['size_label']} = {sizes}; "
            f"{entry['rounds']} round{'s' if entry['rounds'] > 1 else ''}): "
            f"{table.escape(entry['description'])}"
        )
    return "\n".join(lines)


def _contenders(document: dict[str, Any]) -> str:
    lines = []
    for name, info in document["contenders"].items():
        status = (
            ""
            if info["status"] == "measured"
            else f" **{info['status']}**: {info.get('reason', '')}"
        )
        lines.append(f"- `{name}`: {info['description']}.{status}")
    return "\n".join(lines)


def values(document: dict[str, Any]) -> dict[str, str]:
    """Every placeholder of the template, from the results document."""
    found: dict[str, str] = {
        "machine": _machine(document),
        "method": _method(document),
        "contenders": _contenders(document),
        "benchmarks": _descriptions(document),
        "mode": document["mode"],
        "ratio_table": table.markdown(table.RATIO_TABLE_HEADERS, table.ratio_rows(document)),
        "time_table": table.markdown(table.TIME_TABLE_HEADERS, table.time_rows(document)),
        "scaling_table": table.markdown(table.SCALING_TABLE_HEADERS, table.scaling_rows(document)),
        "target_table": table.markdown(
            table.TARGET_TABLE_HEADERS, table.target_rows(document, catalogue.TARGETS)
        ),
    }
    for plot in plots.plots(document):
        found[f"plot_{plot.name.removeprefix('bench_')}"] = picture(plot.name, plot.desc)
    for name, entry in document["benchmarks"].items():
        for contender in contenders.CONTENDERS:
            result = entry["results"][contender]
            key = _key(f"{name}_{contender}")
            found[f"v_{key}"] = table.format_value(entry, result, -1)
        for pair, ratio in entry["ratios"].items():
            top, bottom = pair.split("/")
            suffix = {"floor": "_floor", "asyncio-pure": "_vs_pure"}.get(bottom, "")
            found[f"r_{_key(name)}_{_key(top)}{suffix}"] = table.format_ratio(ratio, -1, False)
        for contender, grown in entry.get("growth", {}).items():
            found[f"g_{_key(name)}_{_key(contender)}"] = (
                f"{grown['verdict']} ({table.TIMES}{grown['growth_factor']:.2f}, "
                f"k = {grown['exponent']:.2f})"
            )
    found["noise"] = f"{NOISE:.2f}"
    for contender in ("tinyloop", "uvloop"):
        for verdict, titles in _against_asyncio(document, contender).items():
            found[f"{contender}_{verdict}"] = "; ".join(titles) or "none of these benchmarks"
    return found


def _against_asyncio(document: dict[str, Any], contender: str) -> dict[str, list[str]]:
    """The microbenchmarks on which ``contender`` is faster than asyncio, even with it (within
    the noise) or slower, each with its median ratio, fastest first."""
    ratios = []
    for entry in document["benchmarks"].values():
        ratio = entry["ratios"].get(f"{contender}/asyncio")
        if entry["kind"] == "micro" and ratio and ratio["status"] == "measured":
            ratios.append((ratio["points"][0]["median"], table.escape(entry["title"])))
    sorted_by: dict[str, list[str]] = {"faster": [], "even": [], "slower": []}
    for median, title in sorted(ratios):
        verdict = "faster" if median < 1 - NOISE else "slower" if median > 1 + NOISE else "even"
        sorted_by[verdict].append(f"{title} ({median:.2f}{table.TIMES})")
    return sorted_by


def render(document: dict[str, Any], template: str) -> str:
    """The page: the template with every placeholder filled (a missing one is an error)."""
    return string.Template(template).substitute(values(document))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.page", description=__doc__)
    parser.add_argument("results", type=Path)
    parser.add_argument("--images", type=Path, default=ROOT / "images")
    parser.add_argument("--page", type=Path, default=ROOT / "docs" / "performance.md")
    args = parser.parse_args(argv)
    document = results.load(args.results)
    written = plots.write_all(document, args.images)
    args.page.parent.mkdir(parents=True, exist_ok=True)
    args.page.write_text(render(document, TEMPLATE.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {args.page} and {len(written)} plots in {args.images}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
