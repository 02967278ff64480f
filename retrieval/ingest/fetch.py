"""Fetching a web page for ingestion: with a time limit, a size cap, and
(for URLs that come from chat) never into the server's own network.

Every failure is a `FetchError` whose message says what happened in words a
user can act on ("took longer than 20 s", "larger than 5.0 MB", "refused:
127.0.0.1 is a private address").

Guarding against server-side request forgery: when `allow_private` is false
the host name is resolved once, every address it resolves to must be public,
and the connection goes to that checked address (the host name still sent as
`Host` and as the TLS server name), so a DNS answer that changes between
the check and the connection cannot redirect the request inward. Redirects
are followed by hand, and each hop is checked the same way. "Public" is
stricter than Python's `is_global`: IANA's special-purpose blocks are
refused, and an IPv6 address that wraps an IPv4 one (mapped, compatible,
NAT64, 6to4, Teredo) is judged by the IPv4 address inside.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

T = TypeVar("T")

MAX_REDIRECTS = 5
USER_AGENT = "tanya/0.1 (+https://github.com/; news question answering)"
# What a page must be to be read as an article: these media types exactly.
TEXT_TYPES = frozenset(["text/html", "application/xhtml+xml", "text/plain", "text/markdown"])

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network
# IANA's special-purpose registries (iana-ipv4/ipv6-special-registry), the
# blocks that are not globally reachable, plus multicast and reserved space.
# Python's `is_global` misses several of them (192.0.0.8, 64:ff9b:1::/48,
# 5f00::/16, ...), so they are listed here, and `is_global` is only a second check.
_SPECIAL_V4 = tuple(
    _V4(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local (cloud metadata services)
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments (DS-Lite, dummy 192.0.0.8, NAT64 discovery)
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
    )
)
_GLOBAL_UNICAST_V6 = _V6("2000::/3")  # every other IPv6 block is special or unallocated
_SPECIAL_V6 = tuple(
    _V6(n)
    for n in (
        "2001::/23",  # IETF protocol assignments (benchmarking, ORCHID, ...)
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
    )
)
# IPv6 addresses that carry an IPv4 address in their last 32 bits.
_IPV4_COMPATIBLE = _V6("::/96")  # deprecated "::a.b.c.d"
_NAT64 = _V6("64:ff9b::/96")  # well-known NAT64 prefix: reaches the IPv4 address inside
_TEREDO = _V6("2001::/32")
_SIXTOFOUR = _V6("2002::/16")
# What a feed or a sitemap is served as (`feeds.py` reads them); gzip for `sitemap.xml.gz`.
FEED_TYPES = frozenset(
    [
        "application/rss+xml",
        "application/atom+xml",
        "application/xml",
        "text/xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/gzip",
        "application/x-gzip",
    ]
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


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address] | None:
    """The IPv4 addresses an IPv6 address leads to (mapped, compatible, NAT64,
    6to4, Teredo), or None when it embeds none."""
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _IPV4_COMPATIBLE and int(ip) > 1:  # "::" and "::1" are IPv6's own
        return [low32]
    if ip in _NAT64:
        return [low32]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)  # the Teredo server and the (de-obfuscated) client
    return None


def _is_public_v4(ip: ipaddress.IPv4Address) -> bool:
    return ip.is_global and not any(ip in net for net in _SPECIAL_V4)


def _is_public(address: str) -> bool:
    """Whether `address` is a public unicast address, also when it wraps an IPv4 one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv4Address):
        return _is_public_v4(ip)
    inner = _embedded_ipv4(ip)
    if inner is not None:
        return all(_is_public_v4(v4) for v4 in inner)
    return (
        ip in _GLOBAL_UNICAST_V6
        and not any(ip in net for net in _SPECIAL_V6)
        and ip.is_global
        and not ip.is_multicast
    )


async def _resolve_public(host: str, port: int) -> str:
    """One public address of `host`; `FetchError` if any address it resolves
    to is loopback, private, link-local or otherwise not public."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
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


async def _pinned(url: httpx.URL) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
    """The URL rewritten to a checked public address, plus the Host header and
    TLS server name that keep the request addressed to the original host."""
    host = url.host
    port = url.port or (443 if url.scheme == "https" else 80)
    address = await _resolve_public(host, port)
    netloc = f"[{address}]" if ":" in address else address
    if url.port:
        netloc += f":{url.port}"
    parts = urlsplit(str(url))
    pinned = httpx.URL(urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")))
    host_header = host if not url.port else f"{host}:{url.port}"
    return pinned, {"Host": host_header}, {"sni_hostname": host}


def media_type(content_type: str) -> str:
    """`text/HTML; charset=utf-8` → `text/html`: the type/subtype before any
    parameter (RFC 9110 §8.3.1), lower-cased; "" when the header is absent."""
    return content_type.split(";", 1)[0].strip().lower()


def _took_too_long(timeout: float) -> str:
    return f"took longer than {timeout:g} s (TANYA_FETCH_TIMEOUT)"


def fetch_url(
    url: str,
    *,
    timeout: float = 20.0,
    max_bytes: int = 5_000_000,
    allow_private: bool = True,
    conditional: dict[str, str] | None = None,
) -> FetchedPage:
    """GET a page, following up to `MAX_REDIRECTS` redirects.

    `timeout` bounds the whole fetch: name resolution, connecting, the
    headers, the body and every redirect. A per-read timeout would not: a
    server that sends one byte a second, or a chain of slow redirects, never
    trips it. So the request runs on its own event loop and is cancelled
    (its connection closed) when the time is up.

    `conditional` carries `If-None-Match` / `If-Modified-Since` for polling a
    followed feed; a 304 answer comes back as a page with `status=304`.
    """
    start = _check_scheme(url.strip())
    return _run_with_deadline(
        _fetch(url, start, timeout, max_bytes, allow_private, conditional), timeout
    )


def _run_with_deadline(coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
    async def bounded() -> T:
        try:
            async with asyncio.timeout(timeout):
                return await coroutine
        except TimeoutError:
            raise FetchError(_took_too_long(timeout)) from None

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_on_new_loop(bounded())
    # Called from async code: a loop already runs in this thread, so run ours
    # in another one and wait for it.
    result: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.append(_run_on_new_loop(bounded()))
        except BaseException as exc:  # handed to the caller below
            error.append(exc)

    thread = threading.Thread(target=run, name="tanya-fetch", daemon=True)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


def _run_on_new_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        # Not asyncio.run(): its shutdown waits for the executor's threads, and
        # a name lookup that hangs would then outlast the deadline.
        try:
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()


async def _fetch(
    url: str,
    current: httpx.URL,
    timeout: float,
    max_bytes: int,
    allow_private: bool,
    conditional: dict[str, str] | None,
) -> FetchedPage:
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(timeout), follow_redirects=False, headers={"User-Agent": USER_AGENT}
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            headers: dict[str, str] = dict(conditional or {})
            extensions: dict[str, str] = {}
            target = current
            if not allow_private:
                target, host_header, extensions = await _pinned(current)
                headers.update(host_header)
            try:
                page = await _get(client, target, headers, extensions, max_bytes)
            except httpx.TimeoutException:
                raise FetchError(_took_too_long(timeout)) from None
            except httpx.HTTPError as exc:
                raise FetchError(f"cannot fetch it: {_describe(exc)}") from None
            if isinstance(page, str):  # a redirect
                current = _check_scheme(urljoin(str(current), page))
                continue
            status, content_type, charset, body, validators = page
            if status >= 400:
                raise FetchError(f"the server answered HTTP {status}")
            if status != 304 and content_type and content_type not in TEXT_TYPES | FEED_TYPES:
                raise FetchError(
                    f"not a web page ({content_type}); tanya reads HTML, plain text, feeds and sitemaps"
                )
            return FetchedPage(
                url, str(current), content_type or "text/html", charset, body, status, *validators
            )
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


async def _get(
    client: httpx.AsyncClient,
    url: httpx.URL,
    headers: dict[str, str],
    extensions: dict[str, str],
    max_bytes: int,
) -> str | tuple[int, str, str | None, bytes, tuple[str | None, str | None]]:
    """One request: a redirect's Location, or (status, type, charset, body,
    (ETag, Last-Modified))."""
    request = client.build_request("GET", url, headers=headers, extensions=extensions)
    response = await client.send(request, stream=True)
    try:
        if response.is_redirect and "location" in response.headers:
            return response.headers["location"]
        content_type = media_type(response.headers.get("content-type", ""))
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(_too_big(max_bytes))
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(_too_big(max_bytes))
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
        await response.aclose()


def _too_big(max_bytes: int) -> str:
    return f"the page is larger than {max_bytes / 1e6:.1f} MB (TANYA_FETCH_MAX_BYTES)"


def _describe(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed ({text})"
    return text
