"""Run one Markdown code block as ``__main__``: ``python run_block.py LOOP FILE LINE PATH < code``.

The block is compiled with the Markdown file as its file name and its real line numbers, so a
traceback points at the line of the page. PATH is a folder holding tinyloop, as a reader's copy
of the programs has it beside them (a block may use tinyloop's loop under asyncio). With LOOP
``tinyloop``, ``import asyncio`` gives tinyloop. An exception that Python can only report and
not raise (in ``__del__``, say: an unclosed socket's ResourceWarning under ``-W error``) makes
the run fail too, and so does a block that leaves a thread, a child process, a socket or a file
open when it ends: a reader's run would leave them behind too, or wait for them.

Only the standard library is imported here: the harness runs this file with ``python -I -S``.
"""

from __future__ import annotations

import builtins
import gc
import io
import os
import socket
import sys
import threading
import traceback
import types
from pathlib import Path
from typing import Any

UNRAISABLE_EXIT = 3
LEFT_OPEN_EXIT = 4


def main() -> int:
    loop, path, line, tinyloop_folder = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    source = sys.stdin.read()
    sys.path.insert(0, tinyloop_folder)
    if loop == "tinyloop":
        from tinyloop import standin

        standin.install()
    unraisable: list[Any] = []

    def record_unraisable(info: Any) -> None:
        unraisable.append(info)
        sys.__unraisablehook__(info)

    sys.unraisablehook = record_unraisable
    try:
        code = compile("\n" * line + source, path, "exec")
    except SyntaxError as exc:
        traceback.print_exception(exc, limit=0)  # the page's line, not this runner's frames
        return 1
    fds_before = _open_fds()
    module = types.ModuleType("__main__")
    module.__file__ = path
    module.__builtins__ = builtins  # type: ignore[attr-defined]
    sys.modules["__main__"] = module
    sys.argv = [path]
    try:
        exec(code, module.__dict__)
    except SystemExit:
        raise
    except BaseException as exc:
        traceback.print_exception(type(exc), exc, _from_block(exc.__traceback__, path))
        return 1
    finally:
        sys.stdout.flush()
    # Let go of the block's globals now, so the finalizers that would run at exit (an unclosed
    # socket's ResourceWarning, say) run here, where they are counted.
    del sys.modules["__main__"]
    module.__dict__.clear()
    gc.collect()
    if unraisable:
        print(f"{len(unraisable)} exception(s) could not be raised (see above)", file=sys.stderr)
        return UNRAISABLE_EXIT
    left = _left_open(fds_before)
    if left:
        print("the block left open when it ended:", *left, sep="\n  ", file=sys.stderr)
        return LEFT_OPEN_EXIT
    return 0


def _left_open(fds_before: set[int]) -> list[str]:
    """What the block started or opened and did not stop or close, each said in a line."""
    left = [
        f"thread {thread.name!r} (daemon={thread.daemon})"
        for thread in threading.enumerate()
        if thread is not threading.main_thread()
    ]
    left += [f"child process {pid}: {command}" for pid, command in _children()]
    left += [_describe_fd(fd) for fd in sorted(_open_fds() - fds_before)]
    return left


def _open_fds() -> set[int]:
    """The file descriptors open in this process (Linux and macOS list them in a folder)."""
    folder = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    found = {int(name) for name in os.listdir(folder)}
    return {fd for fd in found if _is_open(fd)}  # listdir's own descriptor is closed by now


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _describe_fd(fd: int) -> str:
    """``socket fd 5: <socket.socket … laddr=…>`` from the object that holds it, if any."""
    for obj in gc.get_objects():
        if isinstance(obj, (socket.socket, io.IOBase)):
            try:
                if obj.fileno() == fd:
                    return f"fd {fd}: {obj!r}"
            except (OSError, ValueError):
                continue
    try:
        return f"fd {fd}: {os.readlink(f'/proc/self/fd/{fd}')}"
    except OSError:
        return f"fd {fd}"


def _children() -> list[tuple[int, str]]:
    """This process's children, running or not yet waited for (Linux only: elsewhere, none)."""
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        return []
    pids = {int(pid) for task in tasks.iterdir() for pid in _read(task / "children").split()}
    return [(pid, _command(pid)) for pid in sorted(pids)]


def _read(path: Path) -> str:
    """The file's text, or "" if it is gone: a thread that just ended leaves its task folder
    a moment after Python has joined it."""
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "(gone)"
    if state == "Z":
        return "(ended, but not waited for)"
    # Empty while the child is still inside execve(), before its new arguments are in place.
    return raw.replace(b"\0", b" ").decode(errors="replace").strip() or "(starting)"


def _from_block(tb: types.TracebackType | None, path: str) -> types.TracebackType | None:
    """Drop this runner's own frames: the traceback starts at the block."""
    start = tb
    while start is not None and start.tb_frame.f_code.co_filename != path:
        start = start.tb_next
    return start or tb


if __name__ == "__main__":
    sys.exit(main())
