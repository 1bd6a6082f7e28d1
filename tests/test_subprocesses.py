"""Subprocesses as asyncio's: written once and run against asyncio and tinyloop alike.

Every wait is bounded, so that a loop that would hang fails the test instead.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
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
