"""``python -m tinyloop``: running programs on tinyloop, with a trace and on virtual time."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import tinyloop
from tinyloop.clock import VirtualTimeEventLoop
from tinyloop.tracing import Tracer

SEED = """\
import asyncio

async def my_async_func():
    print("Started my_async_func")
    await asyncio.sleep(2)
    print("Finished my_async_func")

async def main():
    print("Started main")
    await my_async_func()
    print("Finished main")

asyncio.run(main())
"""
SEED_OUTPUT = "Started main\nStarted my_async_func\nFinished my_async_func\nFinished main\n"


def run_tinyloop(tmp_path: Path, source: str, *flags: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "program.py"
    script.write_text(source)
    command = [sys.executable, "-W", "error", "-m", "tinyloop", *flags, str(script)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)


def test_a_program_runs_unchanged_with_tinyloop_as_asyncio(tmp_path: Path) -> None:
    source = "import asyncio\nprint(asyncio.__name__)\n"
    assert run_tinyloop(tmp_path, source).stdout == "tinyloop\n"


def test_virtual_time_skips_the_waiting_but_not_the_output(tmp_path: Path) -> None:
    source = SEED.replace("sleep(2)", "sleep(3600)")
    start = time.monotonic()
    result = run_tinyloop(tmp_path, source, "--virtual-time")
    assert time.monotonic() - start < 30  # an hour of sleeping, skipped
    assert result.stdout == SEED_OUTPUT


def test_the_trace_shows_where_the_task_suspended(tmp_path: Path) -> None:
    trace = run_tinyloop(tmp_path, SEED, "--trace", "--virtual-time").stderr
    assert "Task-1     suspended at main():10 → my_async_func():5 → sleep()" in trace
    assert "Future.__await__" in trace


def test_the_trace_shows_the_timer_as_the_selectors_timeout(tmp_path: Path) -> None:
    trace = run_tinyloop(tmp_path, SEED, "--trace", "--virtual-time").stderr.splitlines()
    scheduled = next(i for i, line in enumerate(trace) if "scheduled in 2.000 s" in line)
    assert "select(timeout=2.000 s)" in "\n".join(trace[scheduled:])
    assert any(line.startswith("[   2.000] timer      due") for line in trace)


def test_the_tracer_records_events_for_pictures() -> None:
    loop = VirtualTimeEventLoop()
    tracer = Tracer(loop.time, stream=None)
    loop.add_instrument(tracer)

    async def main() -> None:
        await tinyloop.sleep(1.5)

    with tinyloop.Runner(loop_factory=lambda: loop) as runner:
        runner.run(main())
    main_task = tracer.events[0].subject  # task names count up across the whole process
    kinds = [(round(e.time, 3), e.kind) for e in tracer.events if e.subject == main_task]
    assert kinds == [(0.0, "spawn"), (0.0, "step"), (0.0, "suspend"), (1.5, "step"), (1.5, "exit")]
