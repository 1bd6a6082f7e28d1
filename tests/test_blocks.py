"""Every Python block of the site runs, under asyncio and under tinyloop, and prints what the
page shows after it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from docblocks import LOOPS, DocBlock, check, find_blocks

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


@pytest.mark.parametrize(("block", "loop"), _params())
def test_block_prints_what_the_page_shows(block: DocBlock, loop: str, tmp_path: Path) -> None:
    problem = check(block, loop, tmp_path)
    if problem is not None:
        pytest.fail(problem, pytrace=False)


def test_the_site_has_python_blocks() -> None:
    assert BLOCKS, "no Python block found under docs/: is the extraction broken?"


def test_fewer_than_a_fifth_of_the_blocks_run_on_asyncio_only(
    record_property: Callable[[str, object], None],
) -> None:
    only = [block.where for block in BLOCKS if any(m[0] == "asyncio_only" for m in block.marks)]
    share = len(only) / len(BLOCKS)
    record_property("summary: asyncio-only blocks", f"{len(only)} of {len(BLOCKS)} ({share:.0%})")
    assert share < 0.2, f"{len(only)} of {len(BLOCKS)} blocks are asyncio only:\n" + "\n".join(only)
