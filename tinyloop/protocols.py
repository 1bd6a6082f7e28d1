"""Protocols: the objects a transport calls when something happens on a connection.

CPython: ``Lib/asyncio/protocols.py``. A protocol is the application's side of a connection; the
transport is the loop's side. The loop never calls a coroutine here: each method is a plain
callback, run in the loop's thread in the turn in which the selector reported the event. In the
order a connection sees them: ``connection_made(transport)`` once; then ``data_received(data)``
for each chunk read (or, for a ``BufferedProtocol``, ``get_buffer``/``buffer_updated``);
``eof_received()`` when the peer has closed its side; ``connection_lost(exc)`` once, last. While
the transport's write buffer is over its high-water mark, it calls ``pause_writing()``, and
``resume_writing()`` when the buffer is back down to its low-water mark.

These classes are empty: a protocol overrides what it needs, and transports call any object with
these methods (asyncio's own protocol classes, in loop mode).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BaseProtocol",
    "BufferedProtocol",
    "DatagramProtocol",
    "Protocol",
    "SubprocessProtocol",
]


class BaseProtocol:
    """The callbacks every kind of transport makes."""

    __slots__ = ()

    def connection_made(self, transport: Any) -> None:
        """The connection is up; ``transport`` is how to write to it and close it."""

    def connection_lost(self, exc: Exception | None) -> None:
        """The connection is closed: ``None`` if closed normally, else what broke it."""

    def pause_writing(self) -> None:
        """The transport's write buffer went over the high-water mark: stop writing."""

    def resume_writing(self) -> None:
        """The buffer is down to the low-water mark again."""


class Protocol(BaseProtocol):
    """A stream: bytes arrive in chunks of any size, in order."""

    __slots__ = ()

    def data_received(self, data: bytes) -> None:
        """Some bytes arrived. Chunk boundaries mean nothing: TCP keeps only their order."""

    def eof_received(self) -> bool | None:
        """The peer will send no more. Return a true value to keep our side open for writing;
        otherwise the transport closes itself."""
        return None


class BufferedProtocol(BaseProtocol):
    """A stream that lends the transport its own buffer to read into, sparing a copy."""

    __slots__ = ()

    def get_buffer(self, sizehint: int) -> Any:
        """A writable buffer to receive into (``sizehint`` -1 means any size)."""
        raise NotImplementedError

    def buffer_updated(self, nbytes: int) -> None:
        """``nbytes`` bytes were written into the buffer ``get_buffer`` returned."""

    def eof_received(self) -> bool | None:
        """As ``Protocol.eof_received``."""
        return None


class DatagramProtocol(BaseProtocol):
    """Datagrams: each arrives whole, with its sender's address, or not at all."""

    __slots__ = ()

    def datagram_received(self, data: bytes, addr: Any) -> None:
        """One datagram from ``addr``."""

    def error_received(self, exc: Exception) -> None:
        """A send or receive failed (an ICMP error, say); the endpoint stays open."""


class SubprocessProtocol(BaseProtocol):
    """A child process: data on its pipes, and its exit."""

    __slots__ = ()

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        """The child wrote ``data`` to its stdout (fd 1) or stderr (fd 2)."""

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        """One of the child's pipes closed."""

    def process_exited(self) -> None:
        """The child exited."""
