"""Run one Markdown code block as ``__main__``: ``python run_block.py LOOP FILE LINE < code``.

The block is compiled with the Markdown file as its file name and its real line numbers, so a
traceback points at the line of the page. With LOOP ``tinyloop``, ``import asyncio`` gives
tinyloop. An exception that Python can only report and not raise (in ``__del__``, say: an
unclosed socket's ResourceWarning under ``-W error``) makes the run fail too.
"""

from __future__ import annotations

import builtins
import gc
import sys
import traceback
import types
from typing import Any

UNRAISABLE_EXIT = 3


def main() -> int:
    loop, path, line = sys.argv[1], sys.argv[2], int(sys.argv[3])
    source = sys.stdin.read()
    if loop == "tinyloop":
        from tinyloop import standin

        standin.install()
    unraisable: list[Any] = []

    def record_unraisable(info: Any) -> None:
        unraisable.append(info)
        sys.__unraisablehook__(info)

    sys.unraisablehook = record_unraisable
    code = compile("\n" * line + source, path, "exec")
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
    return 0


def _from_block(tb: types.TracebackType | None, path: str) -> types.TracebackType | None:
    """Drop this runner's own frames: the traceback starts at the block."""
    start = tb
    while start is not None and start.tb_frame.f_code.co_filename != path:
        start = start.tb_next
    return start or tb


if __name__ == "__main__":
    sys.exit(main())
