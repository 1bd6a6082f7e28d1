"""Run a program on tinyloop's virtual clock and keep what the loop did.

The loop carries two instruments: tinyloop's own ``Tracer`` (the events ``python -m tinyloop
--trace`` prints) and an ``Annotator`` (what the pictures need beyond those). Recording stops when
the program's main coroutine returns: the shutdown steps of ``asyncio.run`` that follow are
left out.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import tinyloop
from tinyloop.tracing import TraceEvent, Tracer
from tools.pictures.annotations import Annotator, Extra
from tools.pictures.clocks import blocking_sleep
from tools.pictures.programs import Program

_NOTHING = Extra()


@dataclass(frozen=True)
class Recording:
    events: tuple[TraceEvent, ...]
    extras: dict[int, Extra]
    output: str  # what the program printed

    def extra(self, index: int) -> Extra:
        return self.extras.get(index, _NOTHING)


def record(program: Program) -> Recording:
    loop = program.loop_factory()
    tracer = Tracer(loop.time, stream=None)
    output = io.StringIO()
    annotator = Annotator(tracer, loop, output, program.connections)
    loop.add_instrument(tracer)
    loop.add_instrument(annotator)
    with contextlib.ExitStack() as stack:
        stack.enter_context(contextlib.redirect_stdout(output))
        if program.blocks:
            stack.enter_context(blocking_sleep(loop))
        runner = stack.enter_context(tinyloop.Runner(loop_factory=lambda: loop))
        runner.run(program.main())
        loop.remove_instrument(annotator)
        loop.remove_instrument(tracer)
    return Recording(tuple(tracer.events), annotator.extras, output.getvalue())
