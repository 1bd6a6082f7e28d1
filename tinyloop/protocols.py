"""Protocols: the objects a transport calls when something happens on a connection.

CPython: ``Lib/asyncio/protocols.py``. A protocol is the application's side of a connection; the
transport is the loop's side. The loop never calls a coroutine here: each method is a plain
callback, run in the loop's thread in the turn in which the selector reported the event. In the
order a connection sees them: ``connection_made(transport)`` once; then ``data_received(data)``
for each chunk read (or, for a ``BufferedProtocol``, ``get_buffer``/``buffer_updated``);
``eof_received()`` when the peer has closed its side; ``connection_lost(exc)`` once, last. While
the transport's write buffer is over its high-water mark, it calls ``pause_writing()``, and
``resume_writing()`` when the buffer is back down to its low-water mark.

The classes are asyncio's own (``asyncio.protocols``), as the abstract transport classes are
(``transports.py``): an interface, every method empty, which a protocol overrides where it needs
to. Being asyncio's, ``isinstance(protocol, asyncio.Protocol)`` holds in both modes, and the
transports call any object with these methods. What each method means, and when the loop calls
it: the page "Transports and protocols, seen from the loop" (``docs/transports.md``).
"""

from __future__ import annotations

from asyncio.protocols import (
    BaseProtocol,
    BufferedProtocol,
    DatagramProtocol,
    Protocol,
    SubprocessProtocol,
)

__all__ = ["BaseProtocol", "BufferedProtocol", "DatagramProtocol", "Protocol", "SubprocessProtocol"]
