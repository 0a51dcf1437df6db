"""Who a request counts against: its client IP, its account (hashed email) or its user."""

from __future__ import annotations

import hashlib
import ipaddress

from django.db import DatabaseError
from django.http import HttpRequest

from innkeeper.accounts.models import ApiToken
from innkeeper.core.ids import sha256_hex
from innkeeper.ops.clientip import client_ip as forwarded_client_ip


def client_ip(request: HttpRequest) -> str:
    """The address rate limits count against: the same one the blocklist sees
    (`ops.clientip`, which honours TRUSTED_PROXIES), normalised so one address is one key."""
    try:
        return str(ipaddress.ip_address(forwarded_client_ip(request)))
    except ValueError:
        return "unknown"


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
