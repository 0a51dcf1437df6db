"""Rate limits for the API: one `enforce()` plus the helpers the endpoints call."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.http import HttpRequest

from innkeeper.accounts.models import User
from innkeeper.core.errors import ApplicationError
from innkeeper.core.instruments import RATE_LIMIT_REJECTIONS
from innkeeper.ops.ratelimit.config import enabled, limit_for
from innkeeper.ops.ratelimit.identity import account_key, client_ip
from innkeeper.ops.ratelimit.limiter import Decision, get_limiter
from innkeeper.ops.ratelimit.lockout import login_locked

logger = logging.getLogger("innkeeper.ratelimit")


class RateLimited(ApplicationError):
    status, code, title = 429, "rate_limited", "Too many requests"


def refusal(scope: str, decision: Decision, who: str) -> RateLimited:
    logger.warning("Rate limit exceeded for %s (scope %s, limit %s)", who, scope, decision.limit)
    RATE_LIMIT_REJECTIONS.labels(scope).inc()
    return RateLimited(
        f"Too many requests ({scope}); try again in {decision.retry_after} s.",
        extra={"scope": scope, "retry_after": decision.retry_after},
        headers={"Retry-After": str(decision.retry_after), **decision.headers()},
    )


def enforce(scope: str, *identity: str) -> Decision | None:
    """Count one hit for `identity` in `scope`; raise RateLimited (429) when over the limit.

    `identity` is a (kind, value) sequence such as ("user", "12") or ("ip", "203.0.113.9").
    Returns None when rate limits are switched off (RATE_LIMITS_ENABLED=false).
    """
    if not enabled():
        return None
    decision = get_limiter().hit(limit_for(scope), scope, *identity)
    if not decision.allowed:
        raise refusal(scope, decision, "/".join(identity))
    return decision


def limit_register(request: HttpRequest) -> None:
    enforce("register", "ip", client_ip(request))


def limit_password_reset(request: HttpRequest, *, email: str) -> None:
    """Reset requests per IP, and reset emails per account (so nobody can flood an inbox)."""
    enforce("password_reset", "ip", client_ip(request))
    enforce("password_reset_account", "account", account_key(email))


def limit_password_reset_use(request: HttpRequest) -> None:
    enforce("password_reset", "ip", client_ip(request))


def limit_booking_create(request: HttpRequest, user: User | None) -> None:
    """Per user (when signed in) and per IP; a guest checkout on the pages counts per IP."""
    if user is not None:
        enforce("booking_create", "user", str(user.pk))
    enforce("booking_create_ip", "ip", client_ip(request))


def limit_booking_change(request: HttpRequest, user: User) -> None:
    enforce("booking_change", "user", str(user.pk))


@contextmanager
def login_attempt(request: HttpRequest, *, email: str) -> Iterator[None]:
    """Guard one API login: refuse a locked account before the password is even checked and
    count the attempt per IP and per account+IP.

    The per-account failure limit (default 100/hour) is what stops a slow attack from many
    IPs: 5/min per account+IP alone would still allow 300 failures an hour from one address.
    """
    if not enabled():
        yield
        return
    account = account_key(email)
    ip = client_ip(request)
    # Failures themselves are counted by lockout.on_login_failed (Django's signal), for
    # every login door; here a locked login gets a clear 429 instead of a 401.
    locked = login_locked(email, ip)
    if locked is not None:
        scope, decision = locked
        raise refusal(scope, decision, f"account/{account}")
    enforce("login_ip", "ip", ip)
    enforce("login", "account", account, "ip", ip)
    yield
