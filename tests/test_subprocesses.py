"""Subprocesses as asyncio's: written once and run against asyncio and tinyloop alike.

Every wait is bounded, so that a loop that would hang fails the test instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import warnings
from types import ModuleType
from typing import Any

import pytest

BOUND = 30  # seconds: far more than any of these programs needs


def test_communicate_returns_the_output_and_the_exit_status(aio: ModuleType) -> None:
    async def main() -> tuple[bytes, int]:
        proc = await aio.create_subprocess_exec(
            sys.executable, "-c", "print('hello'); raise SystemExit(3)", stdout=subprocess.PIPE
        )
        out, _ = await aio.wait_for(proc.communicate(), BOUND)
        return out, proc.returncode

    assert aio.run(main()) == (b"hello\n", 3)


GRANDCHILD = textwrap.dedent("""\
    import subprocess, sys
    subprocess.run([sys.executable, "-c",
        "import sys; sys.stdout.write('ready'); sys.stdout.flush(); sys.stdin.read()"])
    """)


def test_wait_returns_at_the_exit_while_a_grandchild_keeps_the_pipe_open(
    aio: ModuleType,
) -> None:
    if aio.__name__ == "asyncio" and sys.version_info < (3, 14):
        pytest.skip("asyncio before 3.14 waits for the pipes too (gh-119710), and hangs here")

    async def main() -> int:
        proc = await aio.create_subprocess_exec(
            sys.executable, "-c", GRANDCHILD, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        try:
            await aio.wait_for(proc.stdout.readexactly(5), BOUND)  # the grandchild runs
            proc.kill()
            return await aio.wait_for(proc.wait(), BOUND)
        finally:
            proc.stdin.close()  # the grandchild's stdin ends: it exits
            await aio.wait_for(proc.stdout.read(), BOUND)

    assert aio.run(main()) == -9


def test_a_pipe_that_cannot_be_connected_ends_the_child_and_raises(aio: ModuleType) -> None:
    if aio.__name__ == "asyncio" and sys.version_info < (3, 14):
        pytest.skip("asyncio before 3.14 hangs here: it waits for the pipe it never connected")

    async def main() -> str:
        loop = aio.get_running_loop()

        async def refuse(*args: Any, **kwargs: Any) -> Any:
            raise OSError("no pipe for you")

        loop.connect_read_pipe = refuse
        try:
            with pytest.raises(OSError) as refused:
                await aio.wait_for(
                    aio.create_subprocess_exec(
                        sys.executable, "-c", "import time; time.sleep(60)", stdout=subprocess.PIPE
                    ),
                    BOUND,
                )
        finally:
            del loop.connect_read_pipe
        return str(refused.value)

    assert aio.run(main()) == "no pipe for you"


def test_a_signal_sent_just_after_the_exit_keeps_the_exit_status(aio: ModuleType) -> None:
    # gh-87744: Popen.send_signal reaps an exited child (its poll()), and the loop's watcher
    # then finds no child: the status would be lost (255).
    if aio.__name__ == "asyncio" and sys.version_info < (3, 13):
        pytest.skip("asyncio sends the signal with os.kill from 3.13")

    async def main() -> int:
        proc = await aio.create_subprocess_exec(sys.executable, "-c", "raise SystemExit(3)")
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)  # exited, not reaped yet
        proc.send_signal(signal.SIGUSR1)
        return await aio.wait_for(proc.wait(), BOUND)

    assert aio.run(main()) == 3


# Until 3.14 asyncio's policy names a child watcher, and a loop for asyncio asks it. tinyloop's
# loop in loop mode (loop_factory=) does as asyncio's own loop does.
BEFORE_3_14 = pytest.mark.skipif(sys.version_info >= (3, 14), reason="no child watchers in 3.14")
LOOPS_FOR_ASYNCIO = pytest.mark.parametrize("loop_factory", ["asyncio", "loop-mode"], indirect=True)


@pytest.fixture
def loop_factory(request: pytest.FixtureRequest) -> Any:
    import asyncio

    import tinyloop

    return asyncio.new_event_loop if request.param == "asyncio" else tinyloop.new_event_loop


def _run_with_child_watcher(watcher: Any, loop_factory: Any, main: Any) -> Any:
    import asyncio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the watchers' API, from 3.12
        asyncio.set_child_watcher(watcher)
    before = set(threading.enumerate())
    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            return runner.run(main)
    finally:
        for thread in set(threading.enumerate()) - before:
            thread.join(BOUND)  # the watcher's thread ends just after it has reported the exit
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            asyncio.set_child_watcher(None)


@BEFORE_3_14
@LOOPS_FOR_ASYNCIO
def test_before_3_14_the_policys_child_watcher_reaps_the_child(loop_factory: Any) -> None:
    import asyncio

    watched: list[int] = []

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+ warns of each subclass

        class Recording(asyncio.ThreadedChildWatcher):  # type: ignore[name-defined,misc]
            def add_child_handler(self, pid: int, callback: Any, *args: Any) -> None:
                watched.append(pid)
                super().add_child_handler(pid, callback, *args)

    async def main() -> tuple[int, int]:
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "raise SystemExit(3)")
        return proc.pid, await asyncio.wait_for(proc.wait(), BOUND)

    pid, returncode = _run_with_child_watcher(Recording(), loop_factory, main())
    assert (watched, returncode) == ([pid], 3)


@BEFORE_3_14
@LOOPS_FOR_ASYNCIO
def test_before_3_14_an_inactive_child_watcher_refuses_to_start_a_child(loop_factory: Any) -> None:
    import asyncio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+ warns of each subclass

        class Inactive(asyncio.ThreadedChildWatcher):  # type: ignore[name-defined,misc]
            def is_active(self) -> bool:
                return False

    async def main() -> None:
        await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")

    with pytest.raises(RuntimeError, match="get_child_watcher\\(\\) is not activated"):
        _run_with_child_watcher(Inactive(), loop_factory, main())
