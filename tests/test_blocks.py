"""Every Python block of the site runs, under asyncio and under tinyloop, and prints what the
page shows after it."""

from __future__ import annotations

import difflib
import os
import subprocess
from pathlib import Path

import pytest
from docblocks import LOOPS, DocBlock, find_blocks, run

TIME_LIMIT = float(os.environ.get("BLOCK_TIME_LIMIT", "60"))
BLOCKS = find_blocks()


def _params() -> list[object]:
    params = []
    for block in BLOCKS:
        for loop in LOOPS:
            marks = []
            only = block.reason("asyncio_only")
            if loop == "tinyloop" and only is not None:
                marks.append(pytest.mark.skip(reason=f"asyncio only: {only}"))
            skip = block.reason("skip") or block.reason("skipif")
            if skip is not None:
                marks.append(pytest.mark.skip(reason=skip))
            params.append(pytest.param(block, loop, id=f"{block.where}-{loop}", marks=marks))
    return params


def run_block(block: DocBlock, loop: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return run(block, loop, cwd, TIME_LIMIT)
    except subprocess.TimeoutExpired:
        pass  # fail outside the handler, so the report is the message alone
    pytest.fail(
        f"{block.where}: the block under {loop} was still running after {TIME_LIMIT:.0f} s "
        "and was killed (does it hang?)",
        pytrace=False,
    )


def _normalise(text: str, ignore_whitespace: bool) -> str:
    return " ".join(text.split()) if ignore_whitespace else text


@pytest.mark.parametrize(("block", "loop"), _params())
def test_block_prints_what_the_page_shows(block: DocBlock, loop: str, tmp_path: Path) -> None:
    if block.problems:
        pytest.fail(f"{block.where}: " + "; ".join(block.problems), pytrace=False)
    result = run_block(block, loop, tmp_path)
    expect_error = block.reason("expect_error") is not None
    if (result.returncode != 0) != expect_error:
        what = "exited with status 0" if expect_error else f"failed (exit {result.returncode})"
        pytest.fail(
            f"{block.where}: the block under {loop} {what}; the page does not expect that\n"
            f"{result.stderr}",
            pytrace=False,
        )
    expected = block.expected_output if block.expected_output is not None else ""
    if _normalise(result.stdout, block.ignore_whitespace) != _normalise(
        expected, block.ignore_whitespace
    ):
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                result.stdout.splitlines(keepends=True),
                fromfile=f"{block.where} (the page shows)",
                tofile=f"{loop} (the block printed)",
            )
        )
        if block.expected_output is None:
            diff = "the page shows no output block after it, so it must print nothing\n" + diff
        pytest.fail(
            f"{block.where}: under {loop} the block prints something other than the page shows\n"
            f"{diff}\n{result.stderr}",
            pytrace=False,
        )


def test_the_site_has_python_blocks() -> None:
    assert BLOCKS, "no Python block found under docs/: is the extraction broken?"
