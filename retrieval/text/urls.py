"""The canonical form of a URL, from which a web article's id is computed:
two spellings of the same page must give one article.

What is normalised (RFC 3986 §6, and what news links carry):

* scheme and host case, a trailing dot on the host, IDNA (`bücher.de` =
  `xn--bcher-kva.de`), IPv6 spelling (`[0:0::1]` = `[::1]`);
* the loopback names: `localhost`, `127.0.0.1` and `[::1]` are one host, so a
  page served locally is one article whichever name reached it. Nothing is
  resolved: an id never depends on DNS;
* the default port (`:80` for http, `:443` for https) and any user:password;
* the path: `.`/`..` segments, percent-encoding (unreserved characters
  decoded, hex upper-cased, other non-ASCII encoded), a trailing slash;
* the query: tracking parameters dropped (`utm_*`, `fbclid`, `gclid`, ...),
  the rest sorted by name (values are kept as written);
* the fragment: dropped (it is a place in the page), except `#!` routes.

Why not `courlan.normalize_url` (installed with trafilatura), which does most
of this: its tracker filter drops parameters that name the article
(`?12345`, `?gallery=5`, `?article_uid=9`), which would merge different
articles into one (the second would replace the first); and an id must not
change when a dependency changes its output. url-normalize, the other
candidate, filters parameters by allow-list only. So the canonical form is
ours, small, and pinned by tests (`tests/test_urls.py`).
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
CANONICAL_LOOPBACK = "localhost"

# Parameters that say how a visitor arrived, never which page it is
# (Google/Facebook/Microsoft/... click ids, campaign tags of analytics tools).
_TRACKING_PARAM = re.compile(
    r"^(?:"
    r"(?:utm|mtm|pk|piwik|matomo|hsa|mkt|oly|vero|itm|ga|gs|ads?)_.*"
    r"|(?:fb|g|dc|tw|tt|y|ysc|wicked)clid|gclsrc|gbraid|wbraid|msclkid|li_fat_id|igshid|igsh"
    r"|_ga|_gl|_hsenc|_hsmi|mc_cid|mc_eid|fb_action_ids|fb_action_types|fb_ref|fb_source"
    r"|ref_src|ref_url|spm|xtor"
    r")$",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# What may stay unencoded in a path: RFC 3986 pchar and "/" (and "%", already-escaped octets).
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


def is_tracking_param(name: str) -> bool:
    return bool(_TRACKING_PARAM.match(name))


def canonical_url(url: str) -> str:
    """`url` in canonical form (see the module docstring). Never raises: a URL
    that cannot be parsed is returned stripped, as it is still its own key."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        host = _canonical_host(parts.hostname or "")
        port = parts.port
    except ValueError:  # a bad port or a malformed IPv6 literal
        return text
    scheme = parts.scheme.lower()
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    path = _canonical_path(parts.path)
    query = _canonical_query(parts.query)
    fragment = parts.fragment if parts.fragment.startswith("!") else ""
    return urlunsplit((scheme, netloc, path, query, fragment))


def _canonical_host(host: str) -> str:
    host = host.lower().rstrip(".")
    try:
        host = ipaddress.ip_address(host).compressed
    except ValueError:
        # A name IDNA 2003 cannot encode is kept as written, lower-cased.
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    return CANONICAL_LOOPBACK if host in _LOOPBACK_NAMES else host


def _canonical_path(path: str) -> str:
    def octet(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    path = quote(_PERCENT.sub(octet, path), safe=_PATH_SAFE)
    segments: list[str] = []
    for segment in path.split("/"):  # "." and ".." resolved as a browser does
        if segment == "..":
            if len(segments) > 1:
                segments.pop()
        elif segment != ".":
            segments.append(segment)
    return "/".join(segments).rstrip("/") or "/"


def _canonical_query(query: str) -> str:
    kept = [
        pair
        for pair in query.split("&")
        if pair and not is_tracking_param(unquote_plus(pair.partition("=")[0]))
    ]
    # Stable sort: repeated names keep their order (?tag=a&tag=b != ?tag=b&tag=a).
    kept.sort(key=lambda pair: unquote_plus(pair.partition("=")[0]))
    return "&".join(kept)
