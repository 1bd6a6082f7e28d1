"""A child process with pipes, and a signal handler."""

import asyncio
import os
import signal
import sys

from loops import run


async def main() -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys; data = sys.stdin.read(); print(data.upper()); sys.exit(3)",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    out, err = await child.communicate(b"hello child")
    print("child:", out, err, child.returncode)
    shell = await asyncio.create_subprocess_shell(
        "echo from the shell; echo oops >&2",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    print("shell:", await shell.stdout.read(), await shell.stderr.read(), await shell.wait())
    long = await asyncio.create_subprocess_exec("sleep", "10")
    long.terminate()
    print("terminated:", await long.wait())
    loop = asyncio.get_running_loop()
    got = loop.create_future()
    loop.add_signal_handler(signal.SIGUSR1, got.set_result, "SIGUSR1")
    os.kill(os.getpid(), signal.SIGUSR1)
    print("signal:", await got)
    print("removed:", loop.remove_signal_handler(signal.SIGUSR1))
    print("removed again:", loop.remove_signal_handler(signal.SIGUSR1))


run(main)
