"""The loop's interface, and the event loop policy.

CPython: ``Lib/asyncio/events.py`` (``AbstractEventLoop``, ``AbstractServer``, the policy
functions). ``AbstractEventLoop`` names the interface that libraries annotate with and test for;
tinyloop's loop (``loop.py`` and the modules built on it) is registered as one. The policy is
asyncio's old way to choose which loop ``get_event_loop`` and ``new_event_loop`` give; asyncio
deprecates it from 3.14. tinyloop's own choice of loop is ``runners.set_loop_factory``; the policy
here only answers for the threads' loops (``get_event_loop``, ``set_event_loop``), as asyncio's
default policy does.
"""

from __future__ import annotations

import abc
import sys
import warnings
from typing import Any

from tinyloop import running
from tinyloop.connections import Server
from tinyloop.loop import EventLoop

__all__ = ["AbstractEventLoop", "AbstractServer", "BaseEventLoop"]
if sys.version_info < (3, 14):  # from 3.14 the two classes warn when looked up: __getattr__
    __all__ += ["AbstractEventLoopPolicy", "DefaultEventLoopPolicy"]
if sys.version_info < (3, 16):
    __all__ += ["get_event_loop_policy", "set_event_loop_policy"]

BaseEventLoop = EventLoop  # asyncio's loop base class; tinyloop's is EventLoop


class AbstractEventLoop(abc.ABC):  # noqa: B024 (an interface: every method is the loop's own)
    """An event loop: ``isinstance(loop, AbstractEventLoop)`` holds for tinyloop's loops."""


class AbstractServer(abc.ABC):  # noqa: B024
    """What ``create_server`` returns: tinyloop's is ``connections.Server``."""


AbstractEventLoop.register(EventLoop)
AbstractServer.register(Server)


class DefaultEventLoopPolicy:
    """Each thread's loop, as ``set_event_loop`` set it; new loops from ``new_event_loop``."""

    def get_event_loop(self) -> Any:
        return running.get_event_loop()

    def set_event_loop(self, loop: Any) -> None:
        running.set_event_loop(loop)

    def new_event_loop(self) -> Any:
        from tinyloop.asyncio_compat import new_event_loop  # the factory, built on this module

        return new_event_loop()


AbstractEventLoopPolicy = DefaultEventLoopPolicy  # asyncio's abstract base, until 3.14
_policy: Any = DefaultEventLoopPolicy()


def get_event_loop_policy() -> Any:
    _warn_deprecated("get_event_loop_policy")
    return _policy


def set_event_loop_policy(policy: Any) -> None:
    """Make ``policy`` the policy; ``None`` puts a new default policy back, as asyncio does."""
    _warn_deprecated("set_event_loop_policy")
    global _policy
    _policy = DefaultEventLoopPolicy() if policy is None else policy


def _warn_deprecated(name: str, stacklevel: int = 3) -> None:
    if sys.version_info >= (3, 14):  # as asyncio warns, from 3.14 (removal planned for 3.16)
        message = f"'asyncio.{name}' is deprecated and slated for removal in Python 3.16"
        warnings.warn(message, DeprecationWarning, stacklevel=stacklevel)


_DEPRECATED_CLASSES = {"AbstractEventLoopPolicy", "DefaultEventLoopPolicy"}


def deprecated_class(name: str) -> Any:
    """``tinyloop.AbstractEventLoopPolicy`` from 3.14: the class, with asyncio's warning."""
    if sys.version_info < (3, 14) or name not in _DEPRECATED_CLASSES:
        raise AttributeError(f"module 'tinyloop' has no attribute {name!r}")
    _warn_deprecated(name, stacklevel=4)  # the line that looked it up: past __getattr__
    return globals()[name]
