"""``python -m tools.expected_output [docs/PAGE.md ...]``: rewrite the output blocks of the site's
pages from real runs, for review with ``git diff``.

Each Python block runs exactly as the tests run it (``tests/docblocks.py``), ``RUNS`` times under
CPython's asyncio and ``RUNS`` times under tinyloop. Where every run prints the same, the output
block after it is rewritten to what they printed (or added, if the block had none and now prints
something). Only output fences change: the marker and the ```` ```text ```` fence around the
output are the page's, and the code is never touched. A block is left as it is, named by page and
line, and the command exits with status 1, where:

- the Markdown around it is wrong (a marker followed by anything but an output fence);
- it prints different things on different runs (hash seeds, ``id()``, timing);
- asyncio and tinyloop print different things, each the same on every run;
- it fails when the page does not say it should, or still runs after the time limit.

Blocks marked ``asyncio_only`` are rewritten from asyncio alone; skipped blocks are left alone.
"""

from __future__ import annotations

import argparse
import difflib
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.docblocks import (
    BLOCK_TIME_LIMIT,
    MARKER,
    ROOT,
    DocBlock,
    blocks_on,
    fence_at,
    output_fence,
    run,
)

RUNS = 3  # per loop: enough to catch a block whose output changes from run to run


@dataclass(frozen=True)
class Outcome:
    block: DocBlock
    output: str | None  # what the page should show; None: leave the block alone
    problem: str | None = None  # why it is left alone, if that is an error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.expected_output", description=__doc__)
    parser.add_argument("pages", nargs="*", type=Path, help="pages to rewrite (default: all)")
    options = parser.parse_args(argv)
    try:
        blocks = blocks_on(options.pages)
    except ValueError as exc:
        parser.error(str(exc))
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(_outcome, blocks))
    changed = _rewrite(outcomes)
    problems = [o.problem for o in outcomes if o.problem]
    print(f"{len(blocks)} blocks run; output blocks rewritten in: {', '.join(changed) or 'none'}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def _outcome(block: DocBlock) -> Outcome:
    if block.problems:
        return Outcome(block, None, "\n".join(block.problems) + "; left as it is")
    if block.reason("skip") or block.reason("skipif"):
        return Outcome(block, None)
    loops = ["asyncio"] if block.reason("asyncio_only") else ["asyncio", "tinyloop"]
    printed: dict[str, str] = {}
    for loop in loops:
        runs: list[str] = []
        for _ in range(RUNS):
            stdout, problem = _run_once(block, loop)
            if problem is not None:
                return Outcome(block, None, problem)
            runs.append(stdout)
        if len(set(runs)) > 1:
            other = next(out for out in runs if out != runs[0])
            diff = _diff(runs[0], other, "one run", "another run")
            return Outcome(
                block,
                None,
                f"{block.where}: prints different things on different runs under {loop}; "
                f"left as it is. Make its output deterministic (no ids, hashes or timings)\n{diff}",
            )
        printed[loop] = runs[0]
    if len(set(printed.values())) > 1:
        diff = _diff(printed["asyncio"], printed["tinyloop"], "asyncio", "tinyloop")
        return Outcome(
            block,
            None,
            f"{block.where}: asyncio and tinyloop print different things (each the same on "
            f"{RUNS} runs); left as it is\n{diff}",
        )
    output = printed["asyncio"]
    if output and not output.endswith("\n"):
        return Outcome(
            block,
            None,
            f"{block.where}: the output does not end with a newline, "
            "which an output block cannot show; left as it is",
        )
    return Outcome(block, output)


def _run_once(block: DocBlock, loop: str) -> tuple[str, str | None]:
    """What the block printed under ``loop``, or why that cannot be shown."""
    with tempfile.TemporaryDirectory() as cwd:
        try:
            result = run(block, loop, Path(cwd), BLOCK_TIME_LIMIT)
        except subprocess.TimeoutExpired:
            return "", (
                f"{block.where}: still running under {loop} after "
                f"{BLOCK_TIME_LIMIT:.0f} s; left as it is"
            )
    failed = result.returncode != 0
    if failed != (block.reason("expect_error") is not None):
        what = f"failed (exit {result.returncode})" if failed else "exited with status 0"
        return "", (
            f"{block.where}: under {loop} the block {what}, which "
            f"the page does not expect; left as it is\n{result.stderr}"
        )
    return result.stdout, None


def _diff(first: str, second: str, first_name: str, second_name: str) -> str:
    lines = difflib.unified_diff(
        first.splitlines(keepends=True),
        second.splitlines(keepends=True),
        fromfile=first_name,
        tofile=second_name,
    )
    return "".join(lines)


def _rewrite(outcomes: list[Outcome]) -> list[str]:
    """Write the new output blocks into their pages; return the pages that changed."""
    changed = []
    for path in sorted({o.block.path for o in outcomes}):
        file = ROOT / path
        lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
        new = list(lines)
        # From the bottom up, so that the line numbers of the blocks above stay right.
        mine = [o for o in outcomes if o.block.path == path and o.output is not None]
        for outcome in sorted(mine, key=lambda o: o.block.line, reverse=True):
            new = _with_output(new, outcome.block.line - 1, outcome.output or "")
        if new != lines:
            file.write_text("".join(new), encoding="utf-8")
            changed.append(path)
    return changed


def _with_output(lines: list[str], opening: int, output: str) -> list[str]:
    """``lines`` with the output block of the code block whose fence opens at ``opening``
    (0-based) replaced by ``output``: added after the block if it has none, removed with its
    marker if the block now prints nothing."""
    block = fence_at(lines, opening)
    assert block is not None, "blocks_in found this block's fence"
    old = output_fence(lines, opening)  # checked by blocks_in: a marker has its text fence
    indent = old.indent if old else block.indent
    fence = output_fence_for(output)
    body = [f"{indent}{line}\n" if line else "\n" for line in output.splitlines()]
    shown = [f"{indent}{fence}text\n", *body, f"{indent}{fence}\n"]
    if old is not None:
        if not output:  # the marker and the old fence go, with the blank line before them
            marker = max(i for i in range(old.opening) if lines[i].strip() == MARKER)
            start = marker - 1 if not lines[marker - 1].strip() else marker
            return [*lines[:start], *lines[old.closing + 1 :]]
        return [*lines[: old.opening], *shown, *lines[old.closing + 1 :]]
    if not output:
        return lines
    added = ["\n", f"{indent}{MARKER}\n", "\n", *shown]
    return [*lines[: block.closing + 1], *added, *lines[block.closing + 1 :]]


def output_fence_for(output: str) -> str:
    """A fence of backticks longer than any run of backticks that starts a line of ``output``,
    so that no line of the output can close it (CommonMark: at least three)."""
    starts = [line.lstrip() for line in output.splitlines()]
    longest = max((len(line) - len(line.lstrip("`")) for line in starts), default=0)
    return "`" * max(3, longest + 1)


if __name__ == "__main__":
    sys.exit(main())
