"""A loopback web server serving article pages, for testing URL ingestion (``tanya add URL``).

Tests register what each path answers: a page (:meth:`WebServer.route`), a
redirect (optionally slow), an endless-looking body streamed without
Content-Length (to test download size caps), a connection that hangs, or
response headers dripped a byte at a time (to test that a time limit bounds
the whole fetch, not each read). A page route with an ``ETag`` or
``Last-Modified`` header answers a matching conditional request with 304, as
a news site's feed does. Anything
unregistered is a 404, as on a real site. Every request is recorded with its
headers, so tests can check the User-Agent, redirects followed, and so on.
"""

from __future__ import annotations

import html
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tests.servers import Exchange, LoopbackServer

__all__ = ["WebRequest", "WebServer", "article_page"]


@dataclass
class WebRequest:
    """One request the client made."""

    method: str
    path: str  # path and query string, as requested
    headers: dict[str, str]  # names lower-cased
    time: float


@dataclass
class _Route:
    kind: str  # "page", "redirect", "stream", "hang" or "drip"
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    location: str = ""
    chunk: bytes = b""
    total_bytes: int = 0
    chunk_delay: float = 0.0


_NOT_FOUND = b"<!doctype html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>"


class WebServer(LoopbackServer):
    """Pages on 127.0.0.1, scripted per path."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[WebRequest] = []
        #: path -> bytes of body actually written for stream() routes
        self.streamed_bytes: dict[str, int] = {}
        self._lock = threading.Lock()
        self._routes: dict[str, _Route] = {}

    def url(self, path: str = "/") -> str:
        """Absolute URL of ``path`` on this server."""
        return f"{self.origin}/{path.lstrip('/')}"

    def route(
        self,
        path: str,
        body: bytes | str,
        *,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> str:
        """Serve ``body`` at ``path`` (str is sent as UTF-8); returns the URL."""
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        return self._add(
            path,
            _Route(
                "page",
                status=status,
                body=data,
                content_type=content_type,
                headers=dict(headers or {}),
                delay=delay,
            ),
        )

    def redirect(self, path: str, to: str, status: int = 302, *, delay: float = 0.0) -> str:
        """Answer ``path`` with a redirect to ``to`` (a path or an absolute URL),
        after ``delay`` seconds."""
        return self._add(path, _Route("redirect", status=status, location=to, delay=delay))

    def stream(
        self,
        path: str,
        chunk: bytes,
        total_bytes: int,
        content_type: str = "text/html; charset=utf-8",
        *,
        chunk_delay: float = 0.0,
    ) -> str:
        """Serve ``total_bytes`` made of repeated ``chunk``, chunked, with no Content-Length.

        The server stops writing as soon as the client closes the connection;
        :attr:`streamed_bytes` tells how much it managed to send.
        """
        if not chunk:
            raise ValueError("chunk must not be empty")
        return self._add(
            path,
            _Route(
                "stream",
                chunk=bytes(chunk),
                total_bytes=total_bytes,
                content_type=content_type,
                chunk_delay=chunk_delay,
            ),
        )

    def hang(self, path: str, seconds: float) -> str:
        """Accept requests for ``path``, send nothing for ``seconds``, then drop the connection."""
        return self._add(path, _Route("hang", delay=seconds))

    def drip_headers(self, path: str, byte_every: float, body: bytes | str = b"") -> str:
        """Send the status line and headers of ``path`` one byte every ``byte_every``
        seconds (a padding header makes them long), then ``body``: every single read
        gets data in time, yet the response takes minutes."""
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        return self._add(path, _Route("drip", body=data, chunk_delay=byte_every))

    def _add(self, path: str, route: _Route) -> str:
        key = "/" + path.lstrip("/")
        with self._lock:
            self._routes[key] = route
        return self.url(key)

    def requests_to(self, path: str) -> list[WebRequest]:
        """Recorded requests whose path (query string ignored) is ``path``."""
        want = "/" + path.lstrip("/")
        return [r for r in list(self.requests) if urlsplit(r.path).path == want]

    # -- HTTP ------------------------------------------------------------------------------

    def handle(self, exchange: Exchange) -> None:
        exchange.body()  # drain any request body so the connection stays usable
        self.requests.append(
            WebRequest(exchange.command, exchange.path, exchange.header_dict, time.time())
        )
        with self._lock:
            route = self._routes.get(exchange.path) or self._routes.get(exchange.url_path)
        if exchange.command not in ("GET", "HEAD"):
            exchange.reply(405, b"Method Not Allowed", "text/plain", {"Allow": "GET, HEAD"})
            return
        if route is None:
            exchange.reply(404, _NOT_FOUND, "text/html; charset=utf-8")
            return
        if route.kind == "hang":
            self.pause(route.delay)
            exchange.abort()
            return
        if route.kind == "drip":
            self._drip(exchange, route)
            return
        if route.delay and not self.pause(route.delay):
            exchange.abort()
            return
        if route.kind == "redirect":
            body = f'<a href="{html.escape(route.location)}">moved</a>'.encode()
            exchange.reply(
                route.status, body, "text/html; charset=utf-8", {"Location": route.location}
            )
        elif route.kind == "page":
            if route.status == 200 and _not_modified(route.headers, exchange.header_dict):
                exchange.reply(304, b"", route.content_type, route.headers)
                return
            exchange.reply(route.status, route.body, route.content_type, route.headers)
        else:
            self._stream(exchange, route)

    def _drip(self, exchange: Exchange, route: _Route) -> None:
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"X-Padding: {'x' * 100}\r\nContent-Length: {len(route.body)}\r\n\r\n"
        ).encode("ascii")
        exchange.responded = True
        exchange.close_connection = True
        for byte in head:
            if not self.pause(route.chunk_delay):
                exchange.abort()
                return
            exchange.wfile.write(bytes([byte]))  # raises once the client has hung up
            exchange.wfile.flush()
        exchange.wfile.write(route.body)
        exchange.wfile.flush()

    def _stream(self, exchange: Exchange, route: _Route) -> None:
        key = exchange.url_path
        exchange.start_chunked(200, route.content_type)
        if exchange.command == "HEAD":
            return
        sent = 0
        self.streamed_bytes[key] = 0
        while sent < route.total_bytes:
            if sent and route.chunk_delay and not self.pause(route.chunk_delay):
                exchange.abort()
                return
            if self.stopping:
                exchange.abort()
                return
            piece = route.chunk[: route.total_bytes - sent]
            exchange.write_chunk(piece)  # raises once the client has hung up
            sent += len(piece)
            self.streamed_bytes[key] = sent
        exchange.end_chunked()


def _not_modified(served: dict[str, str], request: dict[str, str]) -> bool:
    """A conditional GET that matches the route's ETag or Last-Modified (as a
    real server answers feed readers): 304, no body."""
    etag = next((v for k, v in served.items() if k.lower() == "etag"), None)
    modified = next((v for k, v in served.items() if k.lower() == "last-modified"), None)
    if etag and "if-none-match" in request:
        return request["if-none-match"] == etag
    return bool(modified) and request.get("if-modified-since") == modified


def article_page(
    title: str,
    paragraphs: list[str],
    *,
    published: str | None = "2024-03-05T09:30:00+07:00",
    site: str = "Kabar Uji",
    author: str | None = "Redaksi",
    extra_html: str = "",
) -> str:
    """A plausible news article page (meta tags, nav, article body, footer) to serve."""
    meta: list[str] = [
        f'<meta property="og:title" content="{html.escape(title)}">',
        f'<meta property="og:site_name" content="{html.escape(site)}">',
    ]
    if published:
        meta.append(f'<meta property="article:published_time" content="{published}">')
    if author:
        meta.append(f'<meta name="author" content="{html.escape(author)}">')
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    parts: list[Any] = [
        "<!doctype html>",
        '<html lang="id"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)} - {html.escape(site)}</title>",
        *meta,
        "</head><body>",
        '<nav><a href="/">Beranda</a> <a href="/nasional">Nasional</a></nav>',
        f"<article><h1>{html.escape(title)}</h1>",
        f'<time datetime="{published}">{published}</time>' if published else "",
        body,
        extra_html,
        "</article>",
        f"<footer>&copy; {html.escape(site)}</footer>",
        "</body></html>",
    ]
    return "\n".join(str(p) for p in parts)
