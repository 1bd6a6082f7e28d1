"""Options of the whole test run (pytest reads them only from the root's conftest.py).

``--page docs/PAGE.md`` runs one page's blocks, under both loops: what ``make test PAGE=…`` does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--page",
        action="append",
        default=[],
        metavar="docs/PAGE.md",
        help="run only the Python blocks of this page, under both loops (repeatable)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """A page named with ``--page`` that does not exist or has no Python block is an error,
    not an empty run."""
    pages = config.getoption("page")
    if not pages:
        return
    from tests.docblocks import find_blocks

    with_blocks = {block.path for block in find_blocks()}
    for page in pages:
        if not (ROOT / page).is_file():
            raise pytest.UsageError(f"--page {page}: no such file (give a path like docs/index.md)")
        if Path(page).as_posix() not in with_blocks:
            raise pytest.UsageError(f"--page {page}: the page has no Python block to run")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ``--page``, keep only the blocks of the pages named."""
    pages = {Path(page).as_posix() for page in config.getoption("page")}
    if not pages:
        return
    wanted = [item for item in items if dict(item.user_properties).get("block_page") in pages]
    config.hook.pytest_deselected(items=[item for item in items if item not in wanted])
    items[:] = wanted
