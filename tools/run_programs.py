"""Run the site's programs on your machine and compare what they print with the pages.

    python run_programs.py              # every program, under asyncio and under tinyloop
    python run_programs.py --loop asyncio
    python run_programs.py time-26      # only the programs whose name holds "time-26"

This file comes in the download of a page's programs (or of the whole site's), beside
``manifest.json``, the ``programs/`` folder and a copy of ``tinyloop/``. It needs nothing but
Python 3.11 or newer: no package to install. Each program runs in a fresh process, in an empty
folder, with warnings as errors: ``python -W error PROGRAM`` for your Python's own asyncio, and
``python -W error -m tinyloop PROGRAM`` for tinyloop standing in for asyncio. For each, it says:

- ``same``: it printed exactly what the page shows;
- ``different``: it printed something else (the difference follows), or failed where the page
  says it should not, or ran longer than the time limit;
- ``skipped``: the page says it does not apply here (another Python version, or asyncio only),
  and why.

It exits with status 1 if any program was ``different``. The site's page "Run the programs at
home" says what to expect on macOS and Windows, and how to report a difference.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import platform
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOOPS = ("asyncio", "tinyloop")
TIME_LIMIT = 60.0  # seconds per run (twice the tests' limit: a reader's machine may be slower)


@dataclass(frozen=True)
class Result:
    name: str  # e.g. "time-26": the page and the line of its code block
    loop: str
    verdict: str  # "same", "different" or "skipped"
    detail: str = ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("only", nargs="*", help="run only programs whose name holds one of these")
    parser.add_argument("--loop", choices=LOOPS, action="append", help="one loop (default: both)")
    parser.add_argument("--jobs", type=int, default=4, help="programs run at once (4)")
    options = parser.parse_args(argv)
    manifest = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    programs = [p for p in manifest["programs"] if _chosen(p["name"], options.only)]
    jobs = [(program, loop) for program in programs for loop in options.loop or LOOPS]
    print(f"Python {platform.python_version()} on {platform.system()}; {len(jobs)} runs")
    with ThreadPoolExecutor(max_workers=options.jobs) as pool:
        results = list(pool.map(lambda job: _run(*job), jobs))
    for result in results:
        print(f"{result.name} [{result.loop}]: {result.verdict}{result.detail}")
    counts = {verdict: sum(r.verdict == verdict for r in results) for verdict in _VERDICTS}
    print(", ".join(f"{n} {verdict}" for verdict, n in counts.items()))
    return 1 if counts["different"] else 0


_VERDICTS = ("same", "different", "skipped")


def _chosen(name: str, only: list[str]) -> bool:
    return not only or any(part in name for part in only)


def _run(program: dict[str, object], loop: str) -> Result:
    name = str(program["name"])
    why_not = _skip_reason(program, loop)
    if why_not:
        return Result(name, loop, "skipped", f" ({why_not})")
    path = HERE / str(program["program"])
    command = [sys.executable, "-W", "error"]
    command += [str(path)] if loop == "asyncio" else ["-m", "tinyloop", str(path)]
    # tinyloop comes from the copy beside this file, for either loop (a program may use it).
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env |= {"PYTHONPATH": str(HERE), "PYTHONIOENCODING": "utf-8"}
    with tempfile.TemporaryDirectory() as cwd:
        try:
            done = subprocess.run(
                command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIME_LIMIT
            )
        except subprocess.TimeoutExpired:
            return Result(name, loop, "different", f": still running after {TIME_LIMIT:.0f} s")
    expected = (HERE / str(program["expected"])).read_text(encoding="utf-8")
    failed = done.returncode != 0
    if failed != bool(program["expect_error"]):
        what = f"failed (exit {done.returncode})" if failed else "exited with status 0"
        return Result(
            name,
            loop,
            "different",
            f": {what}; the page does not expect that\n" + (_indent(done.stderr)),
        )
    if done.stdout == expected:
        return Result(name, loop, "same")
    diff = difflib.unified_diff(
        expected.splitlines(keepends=True),
        done.stdout.splitlines(keepends=True),
        fromfile=f"{program['page']}:{program['line']} (the page shows)",
        tofile=f"{loop} on your machine",
    )
    return Result(name, loop, "different", "\n" + _indent("".join(diff)))


def _skip_reason(program: dict[str, object], loop: str) -> str:
    """Why the page says this program does not run here, or "" if it does."""
    if program["skip"]:
        return str(program["skip"])
    for condition, reason in program["skipif"]:  # type: ignore[attr-defined]
        if eval(condition, {"sys": sys, "platform": platform}):
            return str(reason)
    if loop == "tinyloop" and program["asyncio_only"]:
        return f"asyncio only: {program['asyncio_only']}"
    return ""


def _indent(text: str) -> str:
    return "".join(f"    {line}" for line in text.splitlines(keepends=True))


if __name__ == "__main__":
    sys.exit(main())
