"""Bad input gets asyncio's exception type, with a message that says what was wrong."""

from __future__ import annotations

import math
import sys
from types import ModuleType
from typing import Any

import pytest


def test_awaiting_a_non_awaitable_is_a_type_error(aio: ModuleType) -> None:
    async def main() -> None:
        await 42  # type: ignore[misc]

    with pytest.raises(TypeError, match="int"):
        aio.run(main())


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="3.14 takes any awaitable")
def test_run_of_something_not_a_coroutine_is_a_value_error(aio: ModuleType) -> None:
    async def main() -> None:
        pass

    with pytest.raises(ValueError, match="a coroutine was expected, got <function"):
        aio.run(main)


@pytest.mark.skipif(sys.version_info < (3, 14), reason="before 3.14 run() takes only coroutines")
def test_run_of_something_not_awaitable_is_a_type_error(aio: ModuleType) -> None:
    async def main() -> None:
        pass

    with pytest.raises(TypeError, match="a coroutine or an awaitable is required"):
        aio.run(main)


def test_set_result_twice_is_an_invalid_state_error(aio: ModuleType) -> None:
    async def main() -> None:
        fut = aio.get_running_loop().create_future()
        fut.set_result(1)
        fut.set_result(2)

    with pytest.raises(aio.InvalidStateError) as raised:
        aio.run(main())
    if aio.__name__ == "tinyloop":  # asyncio's C Future says only "invalid state"
        assert "FINISHED" in str(raised.value)


def test_result_of_a_pending_future_is_an_invalid_state_error(aio: ModuleType) -> None:
    async def main() -> None:
        aio.get_running_loop().create_future().result()

    with pytest.raises(aio.InvalidStateError, match=r"Result is not (ready|set)"):
        aio.run(main())


def test_call_soon_on_a_closed_loop_is_a_runtime_error(aio: ModuleType) -> None:
    async def main() -> Any:
        return aio.get_running_loop()

    loop = aio.run(main())
    with pytest.raises(RuntimeError, match="Event loop is closed"):
        loop.call_soon(print)


def test_a_non_callable_callback_is_a_type_error(aio: ModuleType) -> None:
    # asyncio checks the callback only in debug mode; tinyloop always does.
    async def main() -> None:
        aio.get_running_loop().call_soon("not a function")

    with pytest.raises(TypeError, match="a callable object was expected by call_soon"):
        aio.run(main(), debug=True)


def test_sleep_with_a_nan_delay_is_a_value_error() -> None:
    # asyncio accepts NaN before 3.13; tinyloop follows 3.13 on every version.
    import tinyloop

    async def main() -> None:
        await tinyloop.sleep(math.nan)

    with pytest.raises(ValueError, match="Invalid delay: NaN"):
        tinyloop.run(main())


def test_call_later_with_a_nan_delay_is_a_value_error() -> None:
    import tinyloop

    async def main() -> None:
        tinyloop.get_running_loop().call_later(math.nan, print)

    with pytest.raises(ValueError, match="NaN"):
        tinyloop.run(main())


def test_creating_a_task_from_a_non_coroutine_is_a_type_error(aio: ModuleType) -> None:
    async def main() -> None:
        aio.create_task(42)

    with pytest.raises(TypeError, match="a coroutine was expected, got 42"):
        aio.run(main())


def test_get_running_loop_outside_a_loop_is_a_runtime_error(aio: ModuleType) -> None:
    with pytest.raises(RuntimeError, match="no running event loop"):
        aio.get_running_loop()


def test_a_task_awaiting_itself_fails_with_a_runtime_error(aio: ModuleType) -> None:
    async def main() -> None:
        async def self_await() -> None:
            await aio.current_task()

        await aio.create_task(self_await())

    with pytest.raises(RuntimeError, match="Task cannot await on itself"):
        aio.run(main())


def test_yielding_a_non_future_from_a_task_fails_with_a_runtime_error(aio: ModuleType) -> None:
    import types

    @types.coroutine
    def bad() -> Any:
        yield "not a future"

    async def main() -> None:
        await bad()

    with pytest.raises(RuntimeError, match="Task got bad yield: 'not a future'"):
        aio.run(main())
