"""Local stand-ins for the services tanya talks to over HTTP, as real loopback servers.

Nothing here patches a client library: each server listens on 127.0.0.1 on a
free port and speaks the real wire protocol (the Telegram Bot API, OpenAI's
chat completions, plain web pages), so python-telegram-bot, the ``openai``
package and httpx reach them through their ordinary ``base_url`` settings.

This module holds the machinery the three servers share: a threaded HTTP/1.1
server that records every connection it serves, so that ``stop()`` can close
keep-alive connections and join every handler thread instead of leaking them
into the rest of the suite (which starts hundreds of these servers).
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

__all__ = ["Exchange", "LoopbackServer"]

# A handler still running this long after stop() is a bug in a server, not a
# slow client: every wait in a handler is woken by stop().
_JOIN_TIMEOUT = 5.0


class Exchange(BaseHTTPRequestHandler):
    """One HTTP request on a connection, handed to the owning server's ``handle``.

    HTTP/1.1 so that clients keep connections alive as they would against the
    real service; responses therefore always carry Content-Length or use
    chunked transfer encoding.
    """

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on,
    # the client's delayed ACK would add ~40 ms to every single request.
    disable_nagle_algorithm = True
    server: _TrackingHTTPServer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._body: bytes | None = None
        self.responded = False
        super().__init__(*args, **kwargs)

    # Every verb goes through one dispatcher; the server decides what it supports.
    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def _dispatch(self) -> None:
        self._body = None
        self.responded = False
        owner = self.server.owner
        try:
            owner.handle(self)
        except OSError:
            # The client went away (or stop() shut the socket) mid-response.
            self.close_connection = True
        except Exception:
            owner._record_error(f"{self.command} {self.path}\n{traceback.format_exc()}")
            self.close_connection = True
            if not self.responded:
                with contextlib.suppress(OSError):
                    self.reply(500, b"internal error in test server", "text/plain")
        if self._body is None and not self.close_connection:
            # An unread request body would be parsed as the next request on
            # this keep-alive connection.
            with contextlib.suppress(OSError, ValueError):
                self.body()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # hundreds of servers per run; the recorded requests are the log

    def send_response(self, code: int, message: str | None = None) -> None:
        self.responded = True
        super().send_response(code, message)

    # -- request -------------------------------------------------------------

    @property
    def url_path(self) -> str:
        return urlsplit(self.path).path

    @property
    def header_dict(self) -> dict[str, str]:
        """Request headers with lower-cased names (the last one wins if repeated)."""
        return {name.lower(): value for name, value in self.headers.items()}

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.path).query, keep_blank_values=True)

    def body(self) -> bytes:
        """The request body, read once (Content-Length or chunked)."""
        if self._body is None:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                self._body = self._read_chunked()
            else:
                length = int(self.headers.get("Content-Length") or 0)
                self._body = self.rfile.read(length) if length > 0 else b""
        return self._body

    def _read_chunked(self) -> bytes:
        parts = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    # -- response ------------------------------------------------------------

    def reply(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        """A complete response with an exact Content-Length (no body for HEAD)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def start_chunked(
        self, status: int, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        """Headers for a body of unknown length, sent with chunked transfer encoding."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.flush()

    def write_chunk(self, data: bytes) -> None:
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

    def end_chunked(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def abort(self) -> None:
        """Drop the connection now, mid-response if need be, as a crashed peer would."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


class _TrackingHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that remembers its live connections and handler threads.

    The stock class does not track daemon handler threads at all, so nothing
    could wake a handler blocked reading the next request on a keep-alive
    connection; this one can shut those sockets down and join the threads.
    """

    daemon_threads = True
    request_queue_size = 128
    owner: LoopbackServer

    def __init__(self, owner: LoopbackServer) -> None:
        self.owner = owner
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._workers: set[threading.Thread] = set()
        super().__init__(("127.0.0.1", 0), Exchange)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name with getfqdn(), which
        # can stall for seconds on a machine without working DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def process_request(self, request: Any, client_address: Any) -> None:
        worker = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name=f"{type(self.owner).__name__}-conn",
            daemon=True,
        )
        with self._lock:
            self._connections.add(request)
            self._workers.add(worker)
        worker.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except (ConnectionError, TimeoutError, OSError):
            pass
        except Exception:
            self.owner._record_error(traceback.format_exc())
        finally:
            self.shutdown_request(request)
            with self._lock:
                self._connections.discard(request)
                self._workers.discard(threading.current_thread())

    def drop_connections(self) -> None:
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def join_workers(self, timeout: float) -> list[threading.Thread]:
        """Join handler threads; returns those still alive after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                workers = [w for w in self._workers if w.is_alive()]
            if not workers or time.monotonic() >= deadline:
                return workers
            workers[0].join(0.05)


class LoopbackServer:
    """Base for the protocol servers: start on a free port, stop without leftovers.

    Subclasses implement :meth:`handle`. Any wait inside a handler must go
    through :meth:`pause` (or a condition woken in :meth:`_wake`) so that
    :meth:`stop` can end it.
    """

    def __init__(self) -> None:
        self._stopping = threading.Event()
        self._httpd: _TrackingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._errors_lock = threading.Lock()
        #: Tracebacks of exceptions raised inside this server's handlers (bugs in
        #: the test server itself); the fixtures fail the test if any occurred.
        self.errors: list[str] = []

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> Self:
        if self._httpd is not None:
            raise RuntimeError(f"{type(self).__name__} is already running")
        self._stopping.clear()
        self._httpd = _TrackingHTTPServer(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake every waiting handler, close connections, join threads."""
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        self._stopping.set()
        self._wake()
        httpd.shutdown()
        httpd.drop_connections()
        stuck = httpd.join_workers(_JOIN_TIMEOUT)
        httpd.server_close()
        thread.join(_JOIN_TIMEOUT)
        self._httpd = self._thread = None
        if stuck or thread.is_alive():
            raise RuntimeError(
                f"{type(self).__name__}: {len(stuck)} handler thread(s) did not stop; "
                "a handler is waiting on something stop() cannot wake"
            )

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError(f"{type(self).__name__} is not running")
        return int(self._httpd.server_address[1])

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    # -- for subclasses ----------------------------------------------------------

    def handle(self, exchange: Exchange) -> None:
        raise NotImplementedError

    def _wake(self) -> None:
        """Wake handlers blocked on a condition; called by stop()."""

    def pause(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, returning False early if the server is stopping."""
        if seconds <= 0:
            return not self._stopping.is_set()
        return not self._stopping.wait(seconds)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def _record_error(self, text: str) -> None:
        with self._errors_lock:
            self.errors.append(text)
        print(f"[{type(self).__name__}] handler error:\n{text}", file=sys.stderr)

    def raise_errors(self) -> None:
        """Fail loudly if a handler crashed: that is a bug in the test server."""
        if self.errors:
            raise AssertionError(
                f"{type(self).__name__} raised inside its handlers:\n" + "\n".join(self.errors)
            )
