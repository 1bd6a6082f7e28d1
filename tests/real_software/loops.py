"""How a real-software program picks its loop: ``python prog.py`` runs it on asyncio,
``python prog.py loop`` on tinyloop's loop under asyncio (loop mode), and
``python -m tinyloop prog.py`` with tinyloop standing in for asyncio (``asyncio.run`` is then
tinyloop's)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any


def run(main: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    if sys.argv[1:] == ["loop"]:
        import tinyloop

        with asyncio.Runner(loop_factory=tinyloop.new_event_loop) as runner:
            return runner.run(main())
    return asyncio.run(main())
