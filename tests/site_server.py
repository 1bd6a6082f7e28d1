"""Serve a built site on 127.0.0.1 for the browser test, and know when every request is done.

``http.server``'s ``ThreadingHTTPServer`` answers each connection in a thread of its own. The test
run checks after every test that no thread and no socket is left over, so this server keeps the
threads it starts: ``wait_until_idle()`` joins them once the browser has closed its connections,
and leaving the ``with`` block stops the server and closes its socket.
"""

from __future__ import annotations

import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging each request to stderr."""

    # A connection the browser opens ahead of time and never uses must not hold a thread forever.
    timeout = 10

    def log_message(self, format: str, *args: Any) -> None:
        pass


class SiteServer(ThreadingHTTPServer):
    """Serves ``directory`` on a free port of 127.0.0.1; use it as a context manager."""

    request_queue_size = 64

    def __init__(self, directory: Path) -> None:
        super().__init__(("127.0.0.1", 0), partial(_QuietHandler, directory=str(directory)))
        self._lock = threading.Lock()
        self._handlers: list[threading.Thread] = []
        self._thread = threading.Thread(target=self.serve_forever, name="site-server")

    @property
    def origin(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def process_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"site-request-{client_address}",
        )
        with self._lock:
            self._handlers = [t for t in self._handlers if t.is_alive()]
            self._handlers.append(thread)
        thread.start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that drops a connection mid-response is not an error of the site; what the
        # browser makes of it shows up in the browser test.
        pass

    def wait_until_idle(self, timeout: float = 10.0) -> list[threading.Thread]:
        """Join every request thread; return those still running after ``timeout`` seconds."""
        with self._lock:
            handlers = list(self._handlers)
        for thread in handlers:
            thread.join(timeout)
        with self._lock:
            self._handlers = [t for t in self._handlers if t.is_alive()]
            return list(self._handlers)

    def __enter__(self) -> SiteServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.shutdown()
        self._thread.join()
        self.wait_until_idle()
        self.server_close()
