"""``python -m bench.instructions BENCHMARK [--contender NAME] [--sizes N1 N2]``: the CPU
instructions one operation of a benchmark costs, counted by valgrind's callgrind.

Seconds move with whatever else the machine is doing; instruction counts do not: the same
program, inputs and interpreter give the same count twice, busy machine or not. That makes them
the measure for deciding whether a change to tinyloop pays for itself (the performance page's
table of changes was made this way). The count is taken for the whole process at two sizes and
the difference divided by the difference in operations, so starting Python, importing and
warming up cancel out. Instructions are not time (a cache miss costs many of them), so the
page's ratios still come from ``make bench``. Needs ``valgrind`` on PATH.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys

from bench import contenders
from bench.catalogue import BENCHMARKS

_COLLECTED = re.compile(r"Collected : (\d+)")


def _instructions(contender: str, benchmark: str, n: int) -> int:
    """Instructions of a whole child process that runs ``benchmark`` once at size ``n``."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "bench.instructions",
        "--run-once",
        benchmark,
        "--contender",
        contender,
        "--sizes",
        str(n),
        str(n),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    found = _COLLECTED.search(done.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in callgrind's output:\n{done.stderr}")
    return int(found.group(1))


def per_operation(contender: str, benchmark: str, small: int, large: int) -> float:
    """Instructions per operation: the difference between two sizes over their operations."""
    operations = BENCHMARKS[benchmark].operations
    extra = _instructions(contender, benchmark, large) - _instructions(contender, benchmark, small)
    return extra / (operations(large) - operations(small))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    parser.add_argument("benchmark", choices=sorted(BENCHMARKS))
    parser.add_argument("--contender", default=contenders.TINYLOOP, choices=contenders.LOOPS)
    parser.add_argument("--sizes", nargs=2, type=int, metavar=("SMALL", "LARGE"))
    parser.add_argument("--run-once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    small, large = args.sizes or (BENCHMARKS[args.benchmark].sizes["quick"][0],) * 2
    if args.run_once:
        contenders.set_up(args.contender).run(BENCHMARKS[args.benchmark].workload, small)
        return 0
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not on PATH (Debian: apt-get install valgrind)")
    if args.sizes is None:  # a tree one level deeper; three times as many of anything else
        large = small + 1 if BENCHMARKS[args.benchmark].size_label == "depth" else small * 3
    if large <= small:
        parser.error("--sizes: the second size must be larger than the first")
    count = per_operation(args.contender, args.benchmark, small, large)
    print(f"{args.contender} {args.benchmark}: {count:,.0f} instructions per operation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
