"""Who a request counts against: its client IP, its account (hashed email) or its user."""

from __future__ import annotations

import hashlib
import ipaddress

from django.db import DatabaseError
from django.http import HttpRequest

from innkeeper.accounts.models import ApiToken
from innkeeper.core.ids import sha256_hex
from innkeeper.ops.clientip import client_ip as forwarded_client_ip
from innkeeper.ops.clientip import parse_address

# One IPv6 customer usually holds a whole /64: counting per address would give them 2^64 tries.
IPV6_PREFIX = 64


def client_ip(request: HttpRequest) -> str:
    """The key rate limits count against: the address the blocklist sees (`ops.clientip`,
    trusted proxies only, IPv4-mapped folded to IPv4), or its /64 for IPv6."""
    address = parse_address(forwarded_client_ip(request))
    if address is None:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address)


def account_key(email: str) -> str:
    """Login counters are keyed by a hash of the email, so Redis holds no addresses."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]


def bearer_user_id(request: HttpRequest) -> int | None:
    """The user behind the request's bearer token, without authenticating it (Ninja does)."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    try:
        user_id: int | None = (
            ApiToken.objects.filter(token_hash=sha256_hex(raw.strip()), revoked_at__isnull=True)
            .values_list("user_id", flat=True)
            .first()
        )
    except DatabaseError:
        return None  # the database problem is reported by the view; count by IP meanwhile
    return user_id
