"""Rate-limit scopes: what each limit counts and how its key is built.

Limits come from settings.RATE_LIMITS (each overridable by `RATE_LIMIT_<SCOPE>`), parsed with
the `limits` notation ("5/minute", "100/hour", "10 per 30 seconds").
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from limits import RateLimitItem, parse

# Scope -> who it counts (documented in README "Rate limits").
SCOPES: dict[str, str] = {
    "api": "every /api/v1 request, per user (token) or else per IP",
    "login": "login attempts per account and IP",
    "login_ip": "login attempts per IP",
    "login_failures": "failed logins per account, from any IP (lockout of unknown sources)",
    "login_failures_source": "failed logins per account and IP (lockout of that source)",
    "password_reset": "password-reset requests and link uses per IP",
    "password_reset_account": "password-reset emails per account",
    "register": "registrations per IP",
    "booking_create": "bookings created per user",
    "booking_create_ip": "bookings created per IP",
    "booking_change": "booking changes (cancel, confirm, check-in, ...) per user",
}


@cache
def _parse(scope: str, text: str) -> RateLimitItem:
    try:
        return parse(text)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"RATE_LIMIT_{scope.upper()}={text!r} is not a rate limit such as '5/minute'."
        ) from error


def limit_for(scope: str) -> RateLimitItem:
    if scope not in SCOPES:
        raise KeyError(f"unknown rate-limit scope {scope!r}")
    return _parse(scope, settings.RATE_LIMITS[scope])


def enabled() -> bool:
    return bool(settings.RATE_LIMITS_ENABLED)
