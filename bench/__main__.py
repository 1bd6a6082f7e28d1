"""``python -m bench [--quick|--full] [--out FILE.json]``: run the suite, write the JSON, and
print the table of ratios against asyncio.

``--quick`` (tiny sizes, two rounds: seconds, for the tests) or ``--full`` (the default: the
sizes and rounds the page reports, minutes). ``--only NAME`` runs some benchmarks alone, for
development. Progress goes to stderr; a failing child stops the run with its stderr.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from bench import machine, results, table
from bench.catalogue import BENCHMARKS
from bench.runner import ChildFailed, run_suite

DEFAULT_OUT = Path("bench/results.json")


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="mode", action="store_const", const="quick")
    mode.add_argument("--full", dest="mode", action="store_const", const="full")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS), metavar="NAME")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    mode_name = args.mode or "full"
    chosen = [BENCHMARKS[name] for name in args.only] if args.only else list(BENCHMARKS.values())

    date = datetime.datetime.now(datetime.UTC)
    described = machine.describe()
    try:
        raw = run_suite(mode_name, chosen, (lambda line: None) if args.quiet else _progress)
    except ChildFailed as exc:
        print(f"bench: a child failed, so the run fails.\n{exc}", file=sys.stderr)
        return 1
    document = results.build(raw, chosen, described, date)
    results.write(document, args.out)
    print(table.text(table.RATIO_TABLE_HEADERS, table.ratio_rows(document)))
    if table.scaling_names(document):
        print()
        print(table.text(table.SCALING_TABLE_HEADERS, table.scaling_rows(document)))
    print(f"\n{mode_name} run: {raw.children} children in {raw.seconds:.1f} s; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
