"""Selector I/O: callbacks run when a file descriptor becomes readable or writable.

CPython: ``Lib/asyncio/selector_events.py`` (``BaseSelectorEventLoop``: ``add_reader``,
``_process_events``, ``_write_to_self``). The loop registers each file descriptor with a
``selectors`` selector (epoll on Linux, kqueue on macOS and the BSDs) together with the handles
to run; the selector's ``select(timeout)`` is where the loop's thread waits, for I/O and for the
next timer at once.

One socket pair is always registered: ``call_soon_threadsafe`` writes a byte to it, so a loop
blocked in ``select`` wakes up to run a callback another thread just added.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
from collections.abc import Callable
from typing import Any, Protocol

from tinyloop.handles import Handle
from tinyloop.loop import EventLoop


class _HasFileno(Protocol):
    def fileno(self) -> int: ...


FileLike = int | _HasFileno


class SelectorEventLoop(EventLoop):
    """The event loop, with readiness callbacks and the self-pipe wake-up."""

    def __init__(self, selector: selectors.BaseSelector | None = None) -> None:
        super().__init__(selector)
        self._ssock, self._csock = socket.socketpair()
        self._ssock.setblocking(False)
        self._csock.setblocking(False)
        self._selector.register(self._ssock.fileno(), selectors.EVENT_READ, (None, None))

    def close(self) -> None:
        # A running loop is refused and a closed one left alone, by EventLoop.close.
        if not self.is_running() and not self.is_closed():
            self._ssock.close()
            self._csock.close()
        super().close()

    # -- waking up from another thread -----------------------------------------------------

    def call_soon_threadsafe(
        self, callback: Callable[..., object], *args: Any, context: Any = None
    ) -> Handle:
        handle = super().call_soon_threadsafe(callback, *args, context=context)
        self._write_to_self()
        return handle

    def _write_to_self(self) -> None:
        # A full pipe already holds a wake-up byte: the loop is going to wake up anyway.
        with contextlib.suppress(OSError):
            self._csock.send(b"\0")

    def _read_from_self(self) -> None:
        with contextlib.suppress(BlockingIOError, InterruptedError):  # emptied: nothing to read
            while self._ssock.recv(4096):
                pass

    # -- readers and writers -----------------------------------------------------------------

    def add_reader(self, fd: FileLike, callback: Callable[..., object], *args: Any) -> None:
        """Run ``callback(*args)`` in every turn in which ``fd`` is readable."""
        self._add(fd, selectors.EVENT_READ, Handle(callback, args, self))

    def add_writer(self, fd: FileLike, callback: Callable[..., object], *args: Any) -> None:
        """Run ``callback(*args)`` in every turn in which ``fd`` is writable."""
        self._add(fd, selectors.EVENT_WRITE, Handle(callback, args, self))

    def remove_reader(self, fd: FileLike) -> bool:
        return self._remove(fd, selectors.EVENT_READ)

    def remove_writer(self, fd: FileLike) -> bool:
        return self._remove(fd, selectors.EVENT_WRITE)

    def _add(self, fd: FileLike, event: int, handle: Handle) -> None:
        self._check_closed()
        # The selector keeps one entry per fd: a (reader, writer) pair of handles.
        try:
            key = self._selector.get_key(fd)
        except KeyError:
            reader, writer = (handle, None) if event == selectors.EVENT_READ else (None, handle)
            try:
                self._selector.register(fd, event, (reader, writer))
            except PermissionError:
                raise PermissionError(
                    f"cannot watch {fd!r}: the selector does not support this kind of file "
                    "(regular files are always 'ready'; read them in a thread instead)"
                ) from None
            return
        reader, writer = key.data
        if event == selectors.EVENT_READ:
            old, reader = reader, handle
        else:
            old, writer = writer, handle
        if old is not None:
            old.cancel()  # one reader and one writer per fd: the new one replaces the old
        # Register afresh rather than modify(): if the fd was closed and its number reused, epoll
        # has silently dropped it, and only a new registration makes the kernel watch it again.
        self._selector.unregister(fd)
        self._selector.register(fd, key.events | event, (reader, writer))

    def _remove(self, fd: FileLike, event: int) -> bool:
        if self.is_closed():
            return False
        try:
            key = self._selector.get_key(fd)
        except KeyError:
            return False
        reader, writer = key.data
        if event == selectors.EVENT_READ:
            handle, reader = reader, None
        else:
            handle, writer = writer, None
        remaining = key.events & ~event
        if remaining:
            self._selector.modify(fd, remaining, (reader, writer))
        else:
            self._selector.unregister(fd)
        if handle is None:
            return False
        handle.cancel()
        return True

    # --8<-- [start:process_events]
    def _process_events(self, events: list[tuple[selectors.SelectorKey, int]]) -> None:
        for key, mask in events:
            if key.fileobj == self._ssock.fileno():
                self._read_from_self()  # the wake-up byte did its job
                continue
            reader, writer = key.data  # a cancelled one is skipped in phase 5, like any handle
            if mask & selectors.EVENT_READ and reader is not None:
                self._ready.append(reader)
            if mask & selectors.EVENT_WRITE and writer is not None:
                self._ready.append(writer)

    # --8<-- [end:process_events]
