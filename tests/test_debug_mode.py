"""Debug mode, as asyncio has it, written once and run against asyncio and tinyloop alike.

What is checked: how it is turned on, the callbacks it refuses, the slow-callback warning, the
stacks it records for handles, futures and tasks and prints in error reports, and the origins of
coroutines.
"""

from __future__ import annotations

import gc
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest


@pytest.fixture
def asyncio_log() -> Iterator[list[str]]:
    """The messages logged on the ``asyncio`` logger during the test."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    handler = Collect()
    logger = logging.getLogger("asyncio")
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)


def _debug_of_a_new_loop(aio: ModuleType, *options: str, **environment: str) -> str:
    program = (
        f"import {aio.__name__} as aio\n"
        "loop = aio.new_event_loop()\n"
        "print(loop.get_debug())\n"
        "loop.close()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONASYNCIODEBUG"}
    done = subprocess.run(
        [sys.executable, *options, "-c", program],
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_a_new_loop_is_not_in_debug_mode_by_default(aio: ModuleType) -> None:
    assert _debug_of_a_new_loop(aio) == "False"


def test_pythonasynciodebug_turns_debug_mode_on_for_a_new_loop(aio: ModuleType) -> None:
    assert _debug_of_a_new_loop(aio, PYTHONASYNCIODEBUG="1") == "True"


def test_python_x_dev_turns_debug_mode_on_for_a_new_loop(aio: ModuleType) -> None:
    assert _debug_of_a_new_loop(aio, "-X", "dev") == "True"


def test_run_debug_true_turns_debug_mode_on(aio: ModuleType) -> None:
    async def main() -> bool:
        return bool(aio.get_running_loop().get_debug())

    assert aio.run(main(), debug=True) is True


async def _a_coroutine_function() -> None:
    pass


def _schedule(loop: Any, method: str, callback: Any) -> Any:
    if method in ("call_later", "call_at"):
        when = 60 if method == "call_later" else loop.time() + 60
        return getattr(loop, method)(when, callback)
    if method == "run_in_executor":
        return loop.run_in_executor(None, callback)
    return getattr(loop, method)(callback)


METHODS = ["call_soon", "call_soon_threadsafe", "call_later", "call_at", "run_in_executor"]
# call_later calls call_at, which makes the check and names itself: asyncio's message.
NAMED = {"call_later": "call_at"}


@pytest.mark.parametrize("method", METHODS)
def test_debug_mode_refuses_a_coroutine_function_as_a_callback(
    aio: ModuleType, method: str
) -> None:
    async def main() -> str:
        loop = aio.get_running_loop()
        with pytest.raises(TypeError) as refused:
            _schedule(loop, method, _a_coroutine_function)
        return str(refused.value)

    assert (
        aio.run(main(), debug=True)
        == f"coroutines cannot be used with {NAMED.get(method, method)}()"
    )


@pytest.mark.parametrize("method", METHODS)
def test_debug_mode_refuses_a_coroutine_as_a_callback(aio: ModuleType, method: str) -> None:
    async def main() -> str:
        loop = aio.get_running_loop()
        coroutine = _a_coroutine_function()
        try:
            with pytest.raises(TypeError) as refused:
                _schedule(loop, method, coroutine)
        finally:
            coroutine.close()
        return str(refused.value)

    assert (
        aio.run(main(), debug=True)
        == f"coroutines cannot be used with {NAMED.get(method, method)}()"
    )


def test_without_debug_mode_call_soon_takes_a_coroutine_function(aio: ModuleType) -> None:
    # The coroutine it makes is never awaited: Python warns, and the warning is the only sign.
    async def main() -> None:
        aio.get_running_loop().call_soon(_a_coroutine_function)

    with pytest.warns(RuntimeWarning, match="was never awaited"):
        aio.run(main(), debug=False)
        gc.collect()


def _call_from_another_thread(function: Any) -> BaseException | None:
    raised: list[BaseException] = []

    def target() -> None:
        try:
            function()
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    return raised[0] if raised else None


def test_debug_mode_refuses_call_soon_from_another_thread(aio: ModuleType) -> None:
    async def main() -> BaseException | None:
        loop = aio.get_running_loop()
        return _call_from_another_thread(lambda: loop.call_soon(print))

    raised = aio.run(main(), debug=True)
    assert isinstance(raised, RuntimeError)
    assert str(raised) == (
        "Non-thread-safe operation invoked on an event loop other than the current one"
    )


def test_debug_mode_takes_call_soon_threadsafe_from_another_thread(aio: ModuleType) -> None:
    async def main() -> tuple[BaseException | None, str]:
        loop = aio.get_running_loop()
        done = loop.create_future()
        raised = _call_from_another_thread(lambda: loop.call_soon_threadsafe(done.set_result, "ok"))
        return raised, await done

    assert aio.run(main(), debug=True) == (None, "ok")


def _slow() -> None:
    time.sleep(0.05)  # at least 0.05 s: far more than the 0.01 s the tests allow


def _run_a_slow_callback(aio: ModuleType, *, debug: bool) -> None:
    """Run ``_slow`` as a callback, with a slow_callback_duration of 0.01 s."""

    async def main() -> None:
        loop = aio.get_running_loop()
        loop.slow_callback_duration = 0.01
        done = loop.create_future()
        loop.call_soon(_slow)
        loop.call_soon(done.set_result, None)
        await done

    aio.run(main(), debug=debug)


def test_debug_mode_logs_a_callback_slower_than_slow_callback_duration(
    aio: ModuleType, asyncio_log: list[str]
) -> None:
    _run_a_slow_callback(aio, debug=True)
    slow = [m for m in asyncio_log if m.startswith("Executing <Handle _slow() at ")]
    assert len(slow) == 1, asyncio_log
    assert f"{__file__}:" in slow[0]
    seconds = float(slow[0].rsplit(" took ", 1)[1].removesuffix(" seconds"))
    assert seconds >= 0.05


def test_the_slow_callback_warning_names_the_task_of_a_slow_step(
    aio: ModuleType, asyncio_log: list[str]
) -> None:
    async def blocker() -> None:
        _slow()

    async def main() -> None:
        aio.get_running_loop().slow_callback_duration = 0.01
        await aio.create_task(blocker(), name="blocker")

    aio.run(main(), debug=True)
    prefix = "Executing <Task finished name='blocker' coro=<"
    assert [m for m in asyncio_log if m.startswith(prefix)], asyncio_log


def test_without_debug_mode_a_slow_callback_is_not_logged(
    aio: ModuleType, asyncio_log: list[str]
) -> None:
    _run_a_slow_callback(aio, debug=False)
    assert not [m for m in asyncio_log if m.startswith("Executing ")]


def _this_line() -> tuple[str, int]:
    caller = sys._getframe(1)
    return caller.f_code.co_filename, caller.f_lineno


def test_a_handle_made_in_debug_mode_records_the_line_that_scheduled_it(aio: ModuleType) -> None:
    async def main() -> tuple[Any, tuple[str, int]]:
        handle, here = aio.get_running_loop().call_soon(print), _this_line()
        handle.cancel()
        return handle._source_traceback[-1], here

    frame, (filename, lineno) = aio.run(main(), debug=True)
    assert (frame.filename, frame.lineno) == (filename, lineno)


def test_a_task_made_in_debug_mode_shows_where_in_its_repr(aio: ModuleType) -> None:
    async def main() -> tuple[str, tuple[str, int]]:
        # loop.create_task: asyncio.create_task's stack ends in asyncio's tasks.py
        task, here = aio.get_running_loop().create_task(aio.sleep(0)), _this_line()
        await task
        return repr(task), here

    text, (filename, lineno) = aio.run(main(), debug=True)
    assert text.endswith(f" created at {filename}:{lineno}>"), text


def test_a_future_made_in_debug_mode_shows_where_in_its_repr(aio: ModuleType) -> None:
    async def main() -> tuple[str, tuple[str, int]]:
        future, here = aio.Future(loop=aio.get_running_loop()), _this_line()
        return repr(future), here

    text, (filename, lineno) = aio.run(main(), debug=True)
    assert text == f"<Future pending created at {filename}:{lineno}>"


def test_without_debug_mode_nothing_records_where_it_was_made(aio: ModuleType) -> None:
    async def main() -> list[Any]:
        loop = aio.get_running_loop()
        handle = loop.call_soon(print)
        handle.cancel()
        task = aio.create_task(aio.sleep(0))
        await task
        return [handle._source_traceback, task._source_traceback]

    assert aio.run(main(), debug=False) == [None, None]


def test_the_report_of_a_failed_callback_shows_where_it_was_scheduled(
    aio: ModuleType, asyncio_log: list[str]
) -> None:
    def fail() -> None:
        raise ValueError("boom")

    async def main() -> tuple[str, int]:
        loop = aio.get_running_loop()
        done = loop.create_future()
        loop.call_soon(fail), (here := _this_line())
        loop.call_soon(done.set_result, None)
        await done
        return here

    filename, lineno = aio.run(main(), debug=True)
    (report,) = [m for m in asyncio_log if m.startswith("Exception in callback")]
    assert report.startswith("Exception in callback ")
    assert "fail() at " in report.splitlines()[0]
    assert "source_traceback: Object created at (most recent call last):" in report
    assert f'File "{filename}", line {lineno}, in main' in report


def test_a_report_made_by_a_running_callback_shows_where_that_callback_was_scheduled(
    aio: ModuleType, asyncio_log: list[str]
) -> None:
    async def main() -> tuple[str, int]:
        loop = aio.get_running_loop()
        done = loop.create_future()

        def report() -> None:
            loop.call_exception_handler({"message": "something odd"})
            done.set_result(None)

        loop.call_soon(report), (here := _this_line())
        await done
        return here

    filename, lineno = aio.run(main(), debug=True)
    (report,) = [m for m in asyncio_log if m.startswith("something odd")]
    assert "handle_traceback: Handle created at (most recent call last):" in report
    assert f'File "{filename}", line {lineno}, in main' in report


def test_debug_mode_makes_coroutines_record_their_origin(aio: ModuleType) -> None:
    async def main() -> Any:
        coroutine = _a_coroutine_function()
        origin = coroutine.cr_origin
        coroutine.close()
        return origin

    origin = aio.run(main(), debug=True)
    assert origin is not None and origin[0][2] == "main", origin


def test_the_origin_tracking_depth_is_restored_when_the_loop_stops(aio: ModuleType) -> None:
    async def main() -> int:
        return sys.get_coroutine_origin_tracking_depth()

    before = sys.get_coroutine_origin_tracking_depth()
    assert aio.run(main(), debug=True) > 0
    assert sys.get_coroutine_origin_tracking_depth() == before
