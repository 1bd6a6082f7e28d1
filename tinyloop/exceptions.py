"""The exceptions tinyloop raises: asyncio's own classes.

CPython: ``Lib/asyncio/exceptions.py``. tinyloop shares the classes (the interface), not any of
asyncio's machinery, so that ``except asyncio.CancelledError`` catches a tinyloop cancellation
whichever module a program imported.
"""

from asyncio.exceptions import (
    BrokenBarrierError,
    CancelledError,
    IncompleteReadError,
    InvalidStateError,
    LimitOverrunError,
    SendfileNotAvailableError,
    TimeoutError,
)

__all__ = [
    "BrokenBarrierError",
    "CancelledError",
    "IncompleteReadError",
    "InvalidStateError",
    "LimitOverrunError",
    "SendfileNotAvailableError",
    "TimeoutError",
]
