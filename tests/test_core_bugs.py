"""Bugs found by review (docs: contrib-adversarial "Part B", compat "Behaviour differences"),
each pinned by a test that failed before its fix. Where asyncio behaves the same, the test runs
on both loops through the ``aio`` fixture."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import io
import socket
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

import tinyloop
from tinyloop.asyncio_compat import new_tinyloop_event_loop
from tinyloop.clock import VirtualTimeEventLoop


def new_loop(aio: ModuleType) -> Any:
    """A new loop of the module under test: asyncio's, or tinyloop's with tinyloop's own futures
    and tasks (what ``new_event_loop`` gives standing in for asyncio)."""
    return new_tinyloop_event_loop() if aio is tinyloop else aio.new_event_loop()


# -- 1. set_exception of something that is not an exception --------------------------------


@pytest.mark.parametrize("bad", [42, int, "str", object()], ids=["42", "int", "str", "object"])
def test_set_exception_of_a_non_exception_is_a_type_error_and_the_future_stays_usable(
    aio: ModuleType, bad: Any
) -> None:
    loop = new_loop(aio)
    try:
        future = loop.create_future()
        with pytest.raises(TypeError, match="exception"):
            future.set_exception(bad)
        assert not future.done()
        future.set_result("fine")
        assert future.result() == "fine"
        assert future.exception() is None
    finally:
        loop.close()


def test_a_task_awaiting_a_future_whose_set_exception_failed_gets_the_later_result(
    aio: ModuleType,
) -> None:
    async def main() -> str:
        future = aio.get_running_loop().create_future()
        with pytest.raises(TypeError):
            future.set_exception(object())
        aio.get_running_loop().call_soon(future.set_result, "ok")
        return str(await future)

    assert aio.run(main()) == "ok"


@pytest.mark.parametrize("stop", [StopIteration, StopIteration()], ids=["class", "instance"])
def test_set_exception_of_stop_iteration_does_what_asyncio_does(aio: ModuleType, stop: Any) -> None:
    loop = new_loop(aio)
    try:
        future = loop.create_future()
        if sys.version_info < (3, 13):
            with pytest.raises(TypeError, match="StopIteration"):
                future.set_exception(stop)
            assert not future.done()
        else:  # 3.13 on: the future holds a RuntimeError caused by the StopIteration
            future.set_exception(stop)
            error = future.exception()
            assert type(error) is RuntimeError and "StopIteration" in str(error)
            assert isinstance(error.__cause__, StopIteration)
    finally:
        loop.close()


# -- 2. futures of another loop --------------------------------------------------------------


@pytest.fixture
def two_loops(aio: ModuleType) -> Iterator[tuple[Any, Any]]:
    first, second = new_loop(aio), new_loop(aio)
    yield first, second
    first.close()
    second.close()


def test_run_until_complete_of_another_loops_future_is_a_value_error(
    two_loops: tuple[Any, Any],
) -> None:
    first, second = two_loops
    first.call_later(2, first.stop)  # before the fix the loop waited forever: end the test
    with pytest.raises(ValueError, match="different loop"):
        first.run_until_complete(second.create_future())


def test_ensure_future_of_another_loops_future_is_a_value_error(
    aio: ModuleType, two_loops: tuple[Any, Any]
) -> None:
    first, second = two_loops
    with pytest.raises(ValueError, match="different loop"):
        aio.ensure_future(second.create_future(), loop=first)


def test_gather_of_futures_of_two_loops_is_a_value_error(
    aio: ModuleType, two_loops: tuple[Any, Any]
) -> None:
    first, second = two_loops
    mine, theirs = first.create_future(), second.create_future()
    mine.set_result(1)
    theirs.set_result(2)
    with pytest.raises(ValueError, match="different loop"):
        aio.gather(mine, theirs)


# -- 3. all_tasks() while another thread's loop makes tasks ---------------------------------


@pytest.fixture
def tiny_switch_interval() -> Iterator[None]:
    """Switch threads as often as the interpreter can: a race in seconds becomes one in ms."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


def test_all_tasks_is_safe_while_another_thread_makes_and_drops_tasks(
    tiny_switch_interval: None,
) -> None:
    stop = threading.Event()

    async def churn() -> None:  # tasks come and go in the registry, from this thread
        while not stop.is_set():
            await tinyloop.gather(*(tinyloop.sleep(0) for _ in range(200)))

    worker = threading.Thread(target=tinyloop.run, args=(churn(),))
    worker.start()
    probe = new_tinyloop_event_loop()
    errors: list[RuntimeError] = []
    try:
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline and not errors:
            try:
                tinyloop.all_tasks(probe)
            except RuntimeError as exc:  # before the fix: "Set changed size during iteration"
                errors.append(exc)
    finally:
        stop.set()
        worker.join()
        probe.close()
    assert errors == []


# -- 4. Task.__del__ after a failed __init__ ---------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda coro: tinyloop.Task(coro),  # no running loop: RuntimeError
        lambda coro: tinyloop.Task(coro, eager_start=True),  # unknown keyword: TypeError
    ],
    ids=["no loop", "unknown keyword"],
)
def test_a_task_whose_init_failed_is_collected_without_an_unraisable_error(
    monkeypatch: pytest.MonkeyPatch, make: Callable[[Any], object]
) -> None:
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    coro = tinyloop.sleep(0)

    def attempt() -> None:  # in a frame of its own, so the half-built task dies with it
        with contextlib.suppress(RuntimeError, TypeError):
            make(coro)

    attempt()
    coro.close()
    gc.collect()
    assert [u.exc_value for u in unraisable] == []


# -- 5. virtual time while a thread works ----------------------------------------------------


@pytest.fixture
def virtual_loop() -> Iterator[VirtualTimeEventLoop]:
    loop = VirtualTimeEventLoop()  # type: ignore[abstract]
    # Before the fix some of these waited forever: stop the loop rather than hang the test.
    guard = threading.Timer(10, loop.call_soon_threadsafe, (loop.stop,))
    guard.start()
    yield loop
    guard.cancel()
    guard.join()
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()


def test_virtual_time_does_not_jump_past_a_thread_that_is_still_working(
    virtual_loop: VirtualTimeEventLoop,
) -> None:
    async def main() -> str:
        await tinyloop.wait_for(tinyloop.to_thread(time.sleep, 0.2), timeout=2)
        return "finished"

    assert virtual_loop.run_until_complete(main()) == "finished"


def test_virtual_time_lets_a_quicker_thread_win_against_a_timer(
    virtual_loop: VirtualTimeEventLoop,
) -> None:
    async def main() -> str:
        sleeper = tinyloop.create_task(tinyloop.sleep(1, "timer"))
        worker = tinyloop.ensure_future(tinyloop.to_thread(lambda: time.sleep(0.2) or "thread"))
        done, pending = await tinyloop.wait([sleeper, worker], return_when="FIRST_COMPLETED")
        for task in pending:
            task.cancel()
        await tinyloop.wait(pending)
        return str(done.pop().result())

    assert virtual_loop.run_until_complete(main()) == "thread"


# -- 6. shutdown_default_executor(timeout): warn only when the timeout expired ---------------


def test_shutdown_default_executor_does_not_warn_when_the_join_finished_in_time(
    aio: ModuleType,
) -> None:
    if aio is asyncio and sys.version_info < (3, 12):
        pytest.skip("asyncio's shutdown_default_executor takes a timeout from 3.12")
    loop = new_loop(aio)
    # The joining thread reports back, then lingers a moment before it ends: the race, made
    # certain. (A worker thread lingers too; that does no harm.)
    report = loop.call_soon_threadsafe

    def report_then_linger(*args: Any, **kwargs: Any) -> Any:
        handle = report(*args, **kwargs)
        time.sleep(0.2)
        return handle

    loop.call_soon_threadsafe = report_then_linger
    try:
        loop.run_until_complete(loop.run_in_executor(None, int))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loop.run_until_complete(loop.shutdown_default_executor(timeout=300))
    finally:
        loop.close()


def test_shutdown_default_executor_warns_when_the_timeout_expires() -> None:
    before = set(threading.enumerate())
    loop = new_tinyloop_event_loop()
    try:
        release = threading.Event()
        loop.run_in_executor(None, release.wait)
        with pytest.warns(RuntimeWarning, match="within 0.05 seconds"):
            loop.run_until_complete(loop.shutdown_default_executor(timeout=0.05))
    finally:
        release.set()
        loop.close()
        for thread in set(threading.enumerate()) - before:
            thread.join()


# -- 7. sock_connect with a host name ------------------------------------------------------


def _connect_through_lookup(aio: ModuleType, host: str) -> list[Any]:
    """Connect to a local listener as ``host``; return the loop's getaddrinfo calls."""
    lookups: list[Any] = []

    async def main() -> None:
        loop = aio.get_running_loop()
        with socket.create_server(("127.0.0.1", 0)) as listener:
            port = listener.getsockname()[1]

            async def getaddrinfo(host: Any, port: Any, **options: Any) -> list[Any]:
                lookups.append((host, port))
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

            loop.getaddrinfo = getaddrinfo
            with socket.socket() as sock:
                sock.setblocking(False)
                await loop.sock_connect(sock, (host, port))
                assert sock.getpeername() == listener.getsockname()

    aio.run(main())
    return lookups


def test_sock_connect_resolves_a_host_name_through_the_loops_getaddrinfo(
    aio: ModuleType,
) -> None:
    # The name does not exist: only the loop's (fake) getaddrinfo can make it connect.
    assert [host for host, port in _connect_through_lookup(aio, "no-such-host.invalid")] == [
        "no-such-host.invalid"
    ]


def test_sock_connect_to_an_ip_address_looks_nothing_up(aio: ModuleType) -> None:
    assert _connect_through_lookup(aio, "127.0.0.1") == []


# -- 8. wait_for(aw, nan) --------------------------------------------------------------------


def test_wait_for_with_a_nan_timeout_closes_the_coroutine_it_refuses() -> None:
    coro = tinyloop.sleep(1)

    async def main() -> None:
        await tinyloop.wait_for(coro, float("nan"))

    with pytest.raises(ValueError, match="NaN"):
        tinyloop.run(main())
    assert inspect.getcoroutinestate(coro) == inspect.CORO_CLOSED


# -- 9. tinyloop's Task on another loop --------------------------------------------------------


def test_a_tinyloop_task_runs_on_asyncios_own_loop() -> None:
    loop = asyncio.new_event_loop()
    try:

        async def work() -> int:
            await asyncio.sleep(0.01)
            future = loop.create_future()
            loop.call_soon(future.set_result, 5)
            return int(await future) + 1

        assert loop.run_until_complete(tinyloop.Task(work(), loop=loop)) == 6

        cleaned_up = []

        async def forever() -> None:
            try:
                await asyncio.sleep(3600)
            finally:
                cleaned_up.append(True)

        task = tinyloop.Task(forever(), loop=loop)
        loop.call_later(0.01, task.cancel, "enough")
        with pytest.raises(asyncio.CancelledError, match="enough"):
            loop.run_until_complete(task)
        assert task.cancelled() and cleaned_up == [True]
    finally:
        loop.close()


# -- 10. Task.get_stack and Task.print_stack (compat, "Behaviour differences" 5) --------------


async def _inner(aio: ModuleType) -> None:
    await aio.sleep(10)


async def _outer(aio: ModuleType) -> None:
    await _inner(aio)


async def _fails() -> None:
    raise ValueError("boom")


def test_get_stack_of_a_suspended_task_is_its_coroutines_frame(aio: ModuleType) -> None:
    async def main() -> list[str]:
        task = aio.create_task(_outer(aio))
        await aio.sleep(0)
        names = [frame.f_code.co_name for frame in task.get_stack()]
        task.cancel()
        return names

    assert aio.run(main()) == ["_outer"]


def test_get_stack_of_a_failed_task_is_its_tracebacks_frames(aio: ModuleType) -> None:
    async def main() -> list[str]:
        task = aio.create_task(_fails())
        await aio.sleep(0)
        names = [frame.f_code.co_name for frame in task.get_stack()]
        task.exception()
        return names

    assert aio.run(main()) == ["_fails"]


def test_print_stack_prints_the_frames_under_asyncios_heading(aio: ModuleType) -> None:
    async def main() -> list[str]:
        task = aio.create_task(_outer(aio), name="T")
        await aio.sleep(0)
        out = io.StringIO()
        task.print_stack(file=out)
        task.cancel()
        return out.getvalue().splitlines()

    lines = aio.run(main())
    assert lines[0].startswith("Stack for <Task pending name='T'"), lines[0]
    assert lines[0].endswith("(most recent call last):"), lines[0]
    assert lines[1].endswith(", in _outer"), lines
    assert lines[2].strip() == "await _inner(aio)", lines
