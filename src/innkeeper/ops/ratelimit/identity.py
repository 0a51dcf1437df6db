"""Who a request counts against: its client IP, its account (hashed email) or its user."""

from __future__ import annotations

import hashlib
import ipaddress

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest

from innkeeper.accounts.models import ApiToken
from innkeeper.core.ids import sha256_hex


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind our own load balancer (BEHIND_PROXY) the address it saw: the
    last X-Forwarded-For entry, which the client cannot forge."""
    candidate = request.META.get("REMOTE_ADDR", "")
    if settings.RATE_LIMIT_TRUST_FORWARDED_FOR:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            candidate = forwarded[-1]
    try:
        return str(ipaddress.ip_address(candidate))
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
