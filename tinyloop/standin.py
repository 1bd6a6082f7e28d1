"""Make ``import asyncio`` (and ``from asyncio import …``) give tinyloop.

No CPython counterpart. Used by ``python -m tinyloop`` and by the site's test harness to run an
unchanged asyncio program on tinyloop.
"""

from __future__ import annotations

import sys

import tinyloop


def install() -> None:
    """From now on, ``import asyncio`` in this process returns the ``tinyloop`` package."""
    sys.modules["asyncio"] = tinyloop
