"""Fetching a channel's calendar feed without becoming an SSRF proxy.

Only http(s). The host is resolved here and every address it resolves to must be public
(unless CHANNEL_ALLOW_PRIVATE_URLS), and the connection goes to one of those checked
addresses (no second lookup a DNS rebinding could answer differently); each redirect is
checked the same way. Timeouts per operation and for the whole fetch, a byte cap, a
conditional GET (ETag / Last-Modified) so an unchanged feed costs one 304.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024
USER_AGENT = "innkeeper-calendar-sync/1.0"


class FetchError(Exception):
    """A feed that could not be fetched: `code` is stable, the message is for staff."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Fetched:
    not_modified: bool
    body: bytes
    etag: str
    last_modified: str
    url: str  # after redirects


@dataclass(frozen=True)
class FeedTarget:
    scheme: str
    host: str
    port: int
    path: str


def feed_target(url: str) -> FeedTarget:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchError("feed_url_invalid", f"Not a valid URL: {url[:200]}") from error
    if parts.scheme not in ("http", "https"):
        raise FetchError("feed_url_scheme", "Only http:// and https:// feed URLs are fetched.")
    if not parts.hostname:
        raise FetchError("feed_url_invalid", f"No host in the URL: {url[:200]}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default = 443 if parts.scheme == "https" else 80
    return FeedTarget(parts.scheme, parts.hostname, port or default, path)


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve_checked(host: str, port: int) -> list[str]:
    """Every address of `host`; refused when any of them is not public (a name that mixes
    public and private answers is how rebinding attacks start)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError("feed_dns", f"Cannot resolve {host}.") from error
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not settings.CHANNEL_ALLOW_PRIVATE_URLS:
        private = [address for address in addresses if not _public(address)]
        if private:
            raise FetchError(
                "feed_url_private",
                f"{host} resolves to a private or local address ({private[0]}); feeds must be "
                "on the public internet (CHANNEL_ALLOW_PRIVATE_URLS is off).",
            )
    return addresses


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the host name, not the pinned address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _connect(
    target: FeedTarget, addresses: list[str], timeout: float
) -> http.client.HTTPConnection:
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    last: OSError | None = None
    for address in addresses:
        connection = kind(target.host, target.port, address, timeout)
        try:
            connection.connect()
        except OSError as error:
            connection.close()
            last = error
            continue
        return connection
    raise FetchError("feed_unreachable", f"Cannot connect to {target.host}: {last}.")


def _read_capped(response: http.client.HTTPResponse, deadline: float) -> bytes:
    cap = settings.CHANNEL_MAX_FEED_BYTES
    declared = response.getheader("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        raise FetchError("feed_too_large", f"The feed is larger than {cap} bytes.")
    body = bytearray()
    # read1: whatever has arrived, so a slow drip meets the deadline check between chunks.
    while chunk := response.read1(CHUNK):
        body += chunk
        if len(body) > cap:
            raise FetchError("feed_too_large", f"The feed is larger than {cap} bytes.")
        if time.monotonic() > deadline:
            raise FetchError("feed_timeout", "The feed took too long to download.")
    return bytes(body)


def _request(
    target: FeedTarget, headers: dict[str, str], deadline: float
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    addresses = resolve_checked(target.host, target.port)
    timeout = settings.CHANNEL_FETCH_TIMEOUT_SECONDS
    connection = _connect(target, addresses, timeout)
    try:
        connection.request("GET", target.path, headers=headers)
        return connection, connection.getresponse()
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        code = "feed_timeout" if isinstance(error, TimeoutError) else "feed_unreachable"
        raise FetchError(code, f"{target.host} did not answer properly ({error}).") from error


def fetch_feed(url: str, *, etag: str = "", last_modified: str = "") -> Fetched:
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    headers["Accept-Encoding"] = "identity"
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + 3 * settings.CHANNEL_FETCH_TIMEOUT_SECONDS
    for _ in range(settings.CHANNEL_MAX_REDIRECTS + 1):
        connection, response = _request(feed_target(url), headers, deadline)
        try:
            if response.status in REDIRECTS and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location", ""))
                continue
            return _answer(response, url, deadline)
        except TimeoutError as error:
            raise FetchError("feed_timeout", "The feed stopped sending (timeout).") from error
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(
                "feed_unreachable", f"The feed download broke off ({error})."
            ) from error
        finally:
            connection.close()
    raise FetchError("feed_redirects", "The feed URL redirects too many times.")


def _answer(response: http.client.HTTPResponse, url: str, deadline: float) -> Fetched:
    etag = response.getheader("ETag", "")[:300]
    modified = response.getheader("Last-Modified", "")[:100]
    if response.status == 304:
        return Fetched(True, b"", etag, modified, url)
    if response.status != 200:
        raise FetchError("feed_http_error", f"The feed answered HTTP {response.status}.")
    return Fetched(False, _read_capped(response, deadline), etag, modified, url)
