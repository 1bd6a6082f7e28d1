"""Real asyncio software, unchanged, on tinyloop: each program of ``tests/real_software/`` runs
on asyncio, on tinyloop's loop under asyncio (loop mode) and with tinyloop standing in for
asyncio (``python -m tinyloop``), and must print the same lines on all three. The packages are
pinned in ``requirements.lock``; every server listens on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROGRAMS = Path(__file__).with_name("real_software")
BOUND = 120  # seconds: a program still running then has hung

# What each program prints: the same on every loop (the asyncio run checks the program itself).
EXPECTED = {
    "aiohttp_server_and_client.py": [
        "200 hello a",
        "200 hello b",
        "200 {'got': [1, 2, 3]}",
        "concurrent: [200] 20",
    ],
    "httpx_client.py": ["GET /one 0", "POST /two 1000", "concurrent: [200] 10"],
    "websockets_echo.py": ["str 5 True", "bytes 2 True", "str 100000 True"],
    "anyio_program.py": [
        "squares: [0, 1, 4, 9]",
        "moved on: True",
        "thread: 6",
        "group: ['boom']",
        "tcp: b'OVER TCP'",
    ],
    "subprocess_signal.py": [
        "child: b'HELLO CHILD\\n' None 3",
        "shell: b'from the shell\\n' b'oops\\n' 0",
        "terminated: -15",
        "signal: SIGUSR1",
        "removed: True",
        "removed again: False",
    ],
    "udp_echo.py": ["server got b'ping'", "server got b'pong'", "closed: None"],
}
MODES = {
    "asyncio": lambda program: [program],
    "loop-mode": lambda program: [program, "loop"],
    "stand-in": lambda program: ["-m", "tinyloop", program],
}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("program", sorted(EXPECTED))
def test_a_real_program_prints_the_same_on_every_loop(program: str, mode: str) -> None:
    # -W error: a leaked socket, an unawaited coroutine or any other warning fails the run. Not
    # -X dev: its debug mode reports any callback over 0.1 s, as a busy machine makes some.
    command = [sys.executable, "-W", "error", *MODES[mode](program)]
    done = subprocess.run(
        command, cwd=PROGRAMS, capture_output=True, text=True, timeout=BOUND, check=False
    )
    assert done.returncode == 0 and not done.stderr, (
        f"{program} under {mode} exited with {done.returncode}:\n{done.stderr[-3000:]}"
    )
    assert done.stdout.splitlines() == EXPECTED[program], (
        f"{program} under {mode} printed other lines"
    )


def test_pytest_asyncio_runs_a_suite_on_tinyloops_loop() -> None:
    """pytest-asyncio runs each test of ``real_software/pytest_asyncio_suite`` twice: on
    asyncio's loop and on tinyloop's (its ``pytest_asyncio_loop_factories`` hook)."""
    suite = PROGRAMS / "pytest_asyncio_suite"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "asyncio"]
    command += ["-c", str(suite / "pytest.ini"), "--rootdir", str(suite), str(suite)]
    done = subprocess.run(
        command, cwd=suite, capture_output=True, text=True, timeout=BOUND, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert summary.startswith("14 passed"), summary
