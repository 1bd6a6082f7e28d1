"""``python -m tinyloop [--trace] [--virtual-time] script.py [args…]``: run an asyncio program
on tinyloop.

``import asyncio`` in the program gives tinyloop. ``--trace`` prints every task step, timer and
selector wait to stderr as it happens; ``--virtual-time`` runs the program on a clock that jumps
to the next timer when nothing else can happen (``tinyloop.clock``).
"""

from __future__ import annotations

import argparse
import runpy
import sys
from collections.abc import Callable

from tinyloop import runners, standin
from tinyloop.asyncio_compat import new_tinyloop_event_loop
from tinyloop.clock import new_virtual_time_event_loop
from tinyloop.loop import EventLoop
from tinyloop.tracing import Tracer


def _loop_factory(trace: bool, virtual_time: bool) -> Callable[[], EventLoop]:
    base = new_virtual_time_event_loop if virtual_time else new_tinyloop_event_loop

    def make() -> EventLoop:
        loop = base()
        if trace:
            loop.add_instrument(Tracer(loop.time))
        return loop

    return make


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tinyloop",
        description="Run an asyncio program with tinyloop standing in for asyncio.",
    )
    parser.add_argument("--trace", action="store_true", help="print what the loop does, to stderr")
    parser.add_argument(
        "--virtual-time", action="store_true", help="jump over sleeps instead of waiting"
    )
    parser.add_argument("script", help="the program to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="its arguments")
    options = parser.parse_args(argv)
    sys.argv = [options.script, *options.args]
    runners.set_loop_factory(_loop_factory(options.trace, options.virtual_time))
    standin.install()
    runpy.run_path(options.script, run_name="__main__")


if __name__ == "__main__":
    main()
