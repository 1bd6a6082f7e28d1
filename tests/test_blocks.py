"""Every Python block of the site runs, under asyncio and under tinyloop, and prints what the
page shows after it."""

from __future__ import annotations

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
