"""Fetching a web page for ingestion: with a time limit, a size cap, and
(for URLs that come from chat) never into the server's own network.

Every failure is a `FetchError` whose message says what happened in words a
user can act on ("timed out after 20 s", "larger than 5.0 MB", "refused:
127.0.0.1 is a private address").

Guarding against server-side request forgery: when `allow_private` is false
the host name is resolved once, every address it resolves to must be public,
and the connection goes to that checked address (the host name still sent as
`Host` and as the TLS server name), so a DNS answer that changes between
the check and the connection cannot redirect the request inward. Redirects
are followed by hand, and each hop is checked the same way.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

MAX_REDIRECTS = 5
USER_AGENT = "tanya/0.1 (+https://github.com/; news question answering)"
# What a page must be to be read as an article.
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/markdown")
# What a feed or a sitemap is served as (`feeds.py` reads them); gzip for `sitemap.xml.gz`.
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/gzip",
    "application/x-gzip",
)


class FetchError(RuntimeError):
    """A URL could not be fetched; the message is for the user."""


@dataclass(frozen=True)
class FetchedPage:
    url: str  # as given
    final_url: str  # after redirects
    content_type: str  # e.g. "text/html"
    charset: str | None
    body: bytes
    status: int = 200  # 304 when a conditional request found nothing new (body empty)
    etag: str | None = None
    last_modified: str | None = None


def _check_scheme(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError(f"not a valid URL: {exc}") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError(f"only http and https URLs can be added, not {parsed.scheme or 'this'}:")
    if not parsed.host:
        raise FetchError("the URL has no host")
    return parsed


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve_public(host: str, port: int) -> str:
    """One public address of `host`; `FetchError` if any address it resolves
    to is loopback, private, link-local or otherwise not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise FetchError(f"cannot resolve host {host!r}")
    for address in addresses:
        if not _is_public(address):
            raise FetchError(
                f"refused: {host} resolves to {address}, a private or local address "
                "(links sent in chat may only point to public web sites)"
            )
    return addresses[0]


def _pinned(url: httpx.URL) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
    """The URL rewritten to a checked public address, plus the Host header and
    TLS server name that keep the request addressed to the original host."""
    host = url.host
    port = url.port or (443 if url.scheme == "https" else 80)
    address = resolve_public(host, port)
    netloc = f"[{address}]" if ":" in address else address
    if url.port:
        netloc += f":{url.port}"
    parts = urlsplit(str(url))
    pinned = httpx.URL(urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")))
    host_header = host if not url.port else f"{host}:{url.port}"
    return pinned, {"Host": host_header}, {"sni_hostname": host}


def fetch_url(
    url: str,
    *,
    timeout: float = 20.0,
    max_bytes: int = 5_000_000,
    allow_private: bool = True,
    conditional: dict[str, str] | None = None,
) -> FetchedPage:
    """GET a page, following up to `MAX_REDIRECTS` redirects.

    `conditional` carries `If-None-Match` / `If-Modified-Since` for polling a
    followed feed; a 304 answer comes back as a page with `status=304`.

    `timeout` bounds the whole fetch, not only each read, so a server that
    drips one byte a second cannot hold an ingest for ever.
    """
    current = _check_scheme(url.strip())
    deadline = time.monotonic() + timeout
    with httpx.Client(
        timeout=httpx.Timeout(timeout), follow_redirects=False, headers={"User-Agent": USER_AGENT}
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            headers: dict[str, str] = dict(conditional or {})
            extensions: dict[str, str] = {}
            target = current
            if not allow_private:
                target, host_header, extensions = _pinned(current)
                headers.update(host_header)
            try:
                page = _get(client, target, headers, extensions, deadline, timeout, max_bytes)
            except httpx.TimeoutException:
                raise FetchError(f"timed out after {timeout:g} s") from None
            except httpx.HTTPError as exc:
                raise FetchError(f"cannot fetch it: {_describe(exc)}") from None
            if isinstance(page, str):  # a redirect
                current = _check_scheme(urljoin(str(current), page))
                continue
            status, content_type, charset, body, validators = page
            if status >= 400:
                raise FetchError(f"the server answered HTTP {status}")
            if (
                status != 304
                and content_type
                and not content_type.startswith(TEXT_TYPES + FEED_TYPES)
            ):
                raise FetchError(
                    f"not a web page ({content_type}); tanya reads HTML, plain text, feeds and sitemaps"
                )
            return FetchedPage(
                url, str(current), content_type or "text/html", charset, body, status, *validators
            )
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _get(
    client: httpx.Client,
    url: httpx.URL,
    headers: dict[str, str],
    extensions: dict[str, str],
    deadline: float,
    timeout: float,
    max_bytes: int,
) -> str | tuple[int, str, str | None, bytes, tuple[str | None, str | None]]:
    """One request: a redirect's Location, or (status, type, charset, body,
    (ETag, Last-Modified))."""
    request = client.build_request("GET", url, headers=headers, extensions=extensions)
    response = client.send(request, stream=True)
    try:
        if response.is_redirect and "location" in response.headers:
            return response.headers["location"]
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(_too_big(max_bytes))
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(_too_big(max_bytes))
            if time.monotonic() > deadline:
                raise FetchError(f"timed out after {timeout:g} s")
            chunks.append(chunk)
        validators = (response.headers.get("etag"), response.headers.get("last-modified"))
        return (
            response.status_code,
            content_type,
            response.charset_encoding,
            b"".join(chunks),
            validators,
        )
    finally:
        response.close()


def _too_big(max_bytes: int) -> str:
    return f"the page is larger than {max_bytes / 1e6:.1f} MB (TANYA_FETCH_MAX_BYTES)"


def _describe(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed ({text})"
    return text
