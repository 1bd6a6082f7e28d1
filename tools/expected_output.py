"""``python -m tools.expected_output [docs/PAGE.md ...]``: rewrite the output blocks of the site's
pages from real runs, for review with ``git diff``.

Each Python block runs exactly as the tests run it (``tests/run_block.py``): under CPython's
asyncio and under tinyloop. Where both print the same, the output block after it is rewritten to
what they printed (or added, if the block had none and now prints something). Where they differ,
or a block fails when the page does not say it should, that block is left as it is, the command
names it and exits with status 1: the page cannot show one output for both loops. Blocks marked
``asyncio_only`` are rewritten from asyncio alone; skipped blocks are left alone.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.docblocks import ROOT, DocBlock, blocks_on, run

MARKER = "<!--pytest-codeblocks:expected-output-->"
TIME_LIMIT = 60.0


@dataclass(frozen=True)
class Outcome:
    block: DocBlock
    output: str | None  # what the page should show; None: leave the block alone
    problem: str | None = None  # why it is left alone, if that is an error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.expected_output", description=__doc__)
    parser.add_argument("pages", nargs="*", type=Path, help="pages to rewrite (default: all)")
    options = parser.parse_args(argv)
    blocks = blocks_on(options.pages)
    without = {page.resolve().relative_to(ROOT).as_posix() for page in options.pages}
    without -= {block.path for block in blocks}
    if without:
        parser.error(f"no Python block in: {', '.join(sorted(without))}")
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
        return Outcome(block, None, f"{block.where}: " + "; ".join(block.problems))
    if block.reason("skip") or block.reason("skipif"):
        return Outcome(block, None)
    loops = ["asyncio"] if block.reason("asyncio_only") else ["asyncio", "tinyloop"]
    printed = {}
    for loop in loops:
        with tempfile.TemporaryDirectory() as cwd:
            try:
                result = run(block, loop, Path(cwd), TIME_LIMIT)
            except subprocess.TimeoutExpired:
                return Outcome(
                    block,
                    None,
                    f"{block.where}: still running under {loop} after "
                    f"{TIME_LIMIT:.0f} s; left as it is",
                )
        failed = result.returncode != 0
        if failed != (block.reason("expect_error") is not None):
            what = f"failed (exit {result.returncode})" if failed else "exited with status 0"
            return Outcome(
                block,
                None,
                f"{block.where}: under {loop} the block {what}, which "
                f"the page does not expect; left as it is\n{result.stderr}",
            )
        printed[loop] = result.stdout
    if len(set(printed.values())) > 1:
        return Outcome(
            block,
            None,
            f"{block.where}: asyncio and tinyloop print different "
            "things; left as it is (see `make test PAGE=...` for the diff)",
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
    (0-based) replaced by ``output``, added after it if it has none."""
    indent, fence = _fence(lines[opening])
    closing = next(i for i in range(opening + 1, len(lines)) if lines[i].strip() == fence)
    after = _next_filled(lines, closing + 1)
    body = [f"{indent}{line}\n" if line else "\n" for line in output.splitlines()]
    if after is not None and lines[after].strip() == MARKER:
        start = _next_filled(lines, after + 1)
        assert start is not None, "an expected-output marker with no block after it"
        _, out_fence = _fence(lines[start])
        end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == out_fence)
        return [*lines[: start + 1], *body, *lines[end:]]
    if not output:
        return lines
    added = ["\n", f"{indent}{MARKER}\n", "\n", f"{indent}```text\n", *body, f"{indent}```\n"]
    return [*lines[: closing + 1], *added, *lines[closing + 1 :]]


def _fence(line: str) -> tuple[str, str]:
    """The indentation and the fence (three or more backticks or tildes) opening on ``line``."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    char = stripped[0]
    return indent, char * (len(stripped) - len(stripped.lstrip(char)))


def _next_filled(lines: list[str], start: int) -> int | None:
    return next((i for i in range(start, len(lines)) if lines[i].strip()), None)


if __name__ == "__main__":
    sys.exit(main())
