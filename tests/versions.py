"""Where asyncio's behaviour depends on the Python version: skip the asyncio run, say why."""

from __future__ import annotations

import sys
from types import ModuleType

import pytest


def asyncio_needs(aio: ModuleType, version: tuple[int, int], reason: str) -> None:
    """Skip this test's asyncio run on Pythons older than ``version`` (tinyloop still runs)."""
    if aio.__name__ == "asyncio" and sys.version_info < version:
        pytest.skip(f"asyncio before {version[0]}.{version[1]}: {reason}")
