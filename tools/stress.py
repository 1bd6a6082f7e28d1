"""``python -m tools.stress [--runs N] [docs/PAGE.md ...]``: every block of the site (or of the
pages given), under both loops, ``N`` times, while the machine is kept busy (``make test-stress``).

A block must print what its page shows on a machine ten times slower or busier than the one it
was written on. This command makes such a machine: it starts CPU burners (four per core) and one
process that writes and syncs a file over and over, then runs every block as the tests run it
(``tests/docblocks.py``), four at a time, each at a lower priority than the burners (``nice``
``NICE``: the scheduler then gives a block about a tenth of the CPU time a burner gets), and
lists each block whose run ever differed from the page, with the first difference seen. It also
prints the slowest runs, which is what the time limit per block (``BLOCK_TIME_LIMIT``) is
measured against.

The load is bounded: each load process stops by itself when this command ends, however it ends
(it watches its parent), and after ``--load-limit`` seconds at the latest.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.docblocks import BLOCK_TIME_LIMIT, LOOPS, DocBlock, blocks_on, check

BURNERS_PER_CORE = 4
WORKERS = 4  # blocks run at once, as `make test` runs them (pytest -n 4)
NICE = 5  # Linux's weights: nice 0 is 1024, nice 5 is 335; 8 burners get ~25 times a block

# Each load process runs until its parent is gone or its time is up; the parent's pid and the
# deadline come in argv. A new parent (the process was orphaned) ends it at once.
_STOP = (
    "import os, sys, time\n"
    "parent, end = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])\n"
    "def running(): return os.getppid() == parent and time.monotonic() < end\n"
)
CPU_LOAD = _STOP + "while running():\n    sum(range(10_000))\n"
IO_LOAD = (
    _STOP + "path = sys.argv[3]\nchunk = os.urandom(1 << 20)\nwhile running():\n"
    "    with open(path, 'wb') as file:\n"
    "        for _ in range(8):\n            file.write(chunk)\n"
    "        file.flush()\n        os.fsync(file.fileno())\n"
    "    os.unlink(path)\n"
)


@dataclass
class Run:
    block: DocBlock
    loop: str
    seconds: float
    problem: str | None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.stress", description=__doc__)
    parser.add_argument("pages", nargs="*", type=Path, help="pages to run (default: all)")
    parser.add_argument("--runs", type=int, default=5, help="runs per block and loop (5)")
    parser.add_argument("--no-load", action="store_true", help="run on the machine as it is")
    parser.add_argument("--load-limit", type=float, default=3600.0, help="seconds (3600)")
    options = parser.parse_args(argv)
    try:
        found = blocks_on(options.pages)
    except ValueError as exc:
        parser.error(str(exc))
    blocks = [block for block in found if not (block.reason("skip") or block.reason("skipif"))]
    jobs = [
        (block, loop)
        for _ in range(options.runs)
        for block in blocks
        for loop in LOOPS
        if not (loop == "tinyloop" and block.reason("asyncio_only"))
    ]
    started = time.monotonic()
    with _no_load() if options.no_load else _load(options.load_limit) as load:
        print(f"{len(jobs)} runs: {len(blocks)} blocks, both loops, {options.runs} times; {load}")
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            nice = 0 if options.no_load else NICE
            runs = list(pool.map(lambda job: _run(job[0], job[1], nice), jobs))
    print(f"done in {time.monotonic() - started:.0f} s")
    return _report(runs)


def _run(block: DocBlock, loop: str, nice: int) -> Run:
    with tempfile.TemporaryDirectory() as cwd:
        started = time.monotonic()
        problem = check(block, loop, Path(cwd), nice=nice)
        return Run(block, loop, time.monotonic() - started, problem)


def _report(runs: list[Run]) -> int:
    slowest = sorted(runs, key=lambda run: run.seconds, reverse=True)[:5]
    print(f"slowest runs (the time limit per block is {BLOCK_TIME_LIMIT:.0f} s):")
    for run in slowest:
        print(f"  {run.seconds:6.1f} s  {run.block.where} [{run.loop}]")
    failed: dict[tuple[str, str], list[Run]] = {}
    for run in runs:
        if run.problem is not None:
            failed.setdefault((run.block.where, run.loop), []).append(run)
    if not failed:
        print("every block printed what its page shows, on every run")
        return 0
    print(f"{len(failed)} block and loop pairs differed from the page at least once:")
    for (where, loop), bad in sorted(failed.items()):
        total = sum(1 for run in runs if run.block.where == where and run.loop == loop)
        print(f"\n{where} [{loop}]: {len(bad)} of {total} runs; the first:\n{bad[0].problem}")
    return 1


@contextmanager
def _no_load() -> Iterator[str]:
    yield "no added load"


@contextmanager
def _load(limit: float) -> Iterator[str]:
    """CPU burners and a file writer for as long as the ``with`` lasts (``limit`` at most)."""
    cores = os.cpu_count() or 1
    parent, seconds = str(os.getpid()), str(limit)
    with tempfile.TemporaryDirectory() as scratch:
        io_path = str(Path(scratch) / "load.bin")
        commands = [[sys.executable, "-c", CPU_LOAD, parent, seconds]] * (BURNERS_PER_CORE * cores)
        commands.append([sys.executable, "-c", IO_LOAD, parent, seconds, io_path])
        processes = [subprocess.Popen(command) for command in commands]
        try:
            yield f"load: {len(processes) - 1} CPU burners on {cores} cores, 1 file writer"
        finally:
            for process in processes:
                process.kill()
            for process in processes:
                process.wait()


if __name__ == "__main__":
    sys.exit(main())
