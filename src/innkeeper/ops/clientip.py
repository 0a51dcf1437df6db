"""The client's address: X-Forwarded-For is read only from trusted proxies.

With TRUSTED_PROXIES=N (BEHIND_PROXY=true: 1), the address is taken from the right of
X-Forwarded-For, one hop at a time, and only while the address that handed the request over is
in TRUSTED_PROXY_IPS: a client that connects directly (or through an untrusted hop) is the
client, whatever header it sends. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) count as IPv4.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_address(value: str) -> Address | None:
    """An address, IPv4-mapped IPv6 folded to IPv4, or None when `value` is not one."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr)
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXY_IPS: {error}") from error


def trusted_proxy_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXY_IPS", ())))


def is_trusted_proxy(value: str) -> bool:
    address = parse_address(value)
    return address is not None and any(
        address.version == net.version and address in net for net in trusted_proxy_networks()
    )


def _canonical(value: str) -> str:
    address = parse_address(value)
    return str(address) if address is not None else value.strip()


def client_ip(request: HttpRequest) -> str:
    """The address the blocklist and rate limits use (see the module docstring)."""
    current = str(request.META.get("REMOTE_ADDR", ""))
    hops = int(getattr(settings, "TRUSTED_PROXIES", 0))
    if hops > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        while hops > 0 and chain and is_trusted_proxy(current):
            current = chain.pop()
            hops -= 1
    return _canonical(current)
