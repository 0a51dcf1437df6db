"""Rate-limit scopes: what each limit counts and how its key is built.

Limits come from settings.RATE_LIMITS (each overridable by `RATE_LIMIT_<SCOPE>`), parsed with
the `limits` notation ("5/minute", "100/hour", "10 per 30 seconds").
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from limits import RateLimitItem, parse

from innkeeper.ops.ratelimit.scopes import SCOPES


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
