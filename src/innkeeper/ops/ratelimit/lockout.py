"""The per-account lockout at Django's authentication layer, so every login door shares it:
the API, the admin and any web page that calls `authenticate()`.

Failures are counted from Django's `user_login_failed` signal; a locked account is refused by
LockoutBackend (the ModelBackend with a lockout check in front) before any password is checked.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from innkeeper.ops.ratelimit.config import enabled, limit_for
from innkeeper.ops.ratelimit.identity import account_key
from innkeeper.ops.ratelimit.limiter import Decision, get_limiter

SCOPE = "login_failures"


def _login_name(credentials: dict[str, Any]) -> str:
    return str(credentials.get("username") or credentials.get("email") or "")


def lockout_state(email: str) -> Decision:
    """Where the account stands; `allowed` is False while it is locked."""
    return get_limiter().peek(limit_for(SCOPE), SCOPE, "account", account_key(email))


def on_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    name = _login_name(credentials)
    if enabled() and name:
        get_limiter().hit(limit_for(SCOPE), SCOPE, "account", account_key(name))


class LockoutBackend(ModelBackend):
    """Django's ModelBackend, refusing locked accounts first. Being the only backend, it also
    restores session users (force_login, admin sessions) like ModelBackend does."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **credentials: Any,
    ) -> Any:
        name = _login_name({"username": username, **credentials})
        if enabled() and name and not lockout_state(name).allowed:
            # PermissionDenied stops Django from trying any other backend.
            raise PermissionDenied("account locked after too many failed logins")
        return super().authenticate(request, username=username, password=password, **credentials)
