"""Every rate-limit scope, once: what it counts, its default limit and whose counters it keeps.

Plain data with no imports of Django or of ours, so `settings.py` reads it for the defaults and
their `RATE_LIMIT_<SCOPE>` overrides, the limiter for the limits, and `innkeeper ratelimit` for
the scopes it can show and clear (README "Rate limits").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    meaning: str
    default: str  # the `limits` notation: "5/minute", "100/hour", "10 per 30 seconds"
    # Whose counters `innkeeper ratelimit status|clear` looks at: "user", "account" or "ip"
    # (keys that combine an account and an IP are found through either).
    counted_by: tuple[str, ...] = ()


SCOPES: dict[str, Scope] = {
    "api": Scope(
        "every /api/v1 request, per user (token) or else per IP", "120/minute", ("user", "ip")
    ),
    "login": Scope("login attempts per account and IP", "5/minute"),
    "login_ip": Scope("login attempts per IP", "20/minute", ("ip",)),
    "login_failures": Scope(
        "failed logins per account, from any IP (lockout of unknown sources)",
        "100/hour",
        ("account",),
    ),
    # One address can lock itself out, never the owner.
    "login_failures_source": Scope(
        "failed logins per account and IP (lockout of that source)", "20/hour"
    ),
    "password_reset": Scope("password-reset requests and link uses per IP", "10/hour", ("ip",)),
    "password_reset_account": Scope("password-reset emails per account", "3/hour", ("account",)),
    "register": Scope("registrations per IP", "10/hour", ("ip",)),
    "booking_create": Scope("bookings created per user", "5/minute", ("user",)),
    "booking_create_ip": Scope("bookings created per IP", "20/minute", ("ip",)),
    "booking_change": Scope(
        "booking changes (cancel, confirm, check-in, ...) per user", "10/minute", ("user",)
    ),
}


def scopes_counted_by(kind: str) -> tuple[str, ...]:
    return tuple(name for name, scope in SCOPES.items() if kind in scope.counted_by)
