"""The login lockout at Django's authentication layer, so every login door shares it: the API,
the admin, the desk and the guest pages all call `authenticate()`.

Failures are counted per account *and* source (IP) and per account from any source (Django's
`user_login_failed` signal). A source that failed too often for an account is locked out of
it; an account that failed too often overall is locked for every source except the ones it
logged in from before (README "Accounts and links": one address cannot lock the owner out).
LockoutBackend (the ModelBackend with this check in front) refuses a locked login before any
password is checked.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from innkeeper.accounts.logins import known_login_source
from innkeeper.ops.ratelimit.config import enabled, limit_for
from innkeeper.ops.ratelimit.identity import account_key, client_ip
from innkeeper.ops.ratelimit.limiter import Decision, get_limiter

SCOPE = "login_failures"
SOURCE_SCOPE = "login_failures_source"


def _login_name(credentials: dict[str, Any]) -> str:
    return str(credentials.get("username") or credentials.get("email") or "")


def lockout_state(email: str) -> Decision:
    """Where the account stands overall; `allowed` is False while it is locked."""
    return get_limiter().peek(limit_for(SCOPE), SCOPE, "account", account_key(email))


def login_locked(email: str, ip: str) -> tuple[str, Decision] | None:
    """(scope, decision) when a login on `email` from `ip` is locked out, else None."""
    account = account_key(email)
    mine = get_limiter().peek(limit_for(SOURCE_SCOPE), SOURCE_SCOPE, "account", account, "ip", ip)
    if not mine.allowed:
        return SOURCE_SCOPE, mine
    overall = lockout_state(email)
    if not overall.allowed and not known_login_source(email=email, ip=ip):
        return SCOPE, overall
    return None


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    name = _login_name(credentials)
    if not (enabled() and name):
        return
    account = account_key(name)
    get_limiter().hit(limit_for(SCOPE), SCOPE, "account", account)
    if request is not None:
        ip = client_ip(request)
        get_limiter().hit(limit_for(SOURCE_SCOPE), SOURCE_SCOPE, "account", account, "ip", ip)


class LockoutBackend(ModelBackend):
    """Django's ModelBackend, refusing locked logins first. Being the only backend, it also
    restores session users (force_login, admin sessions) like ModelBackend does."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **credentials: Any,
    ) -> Any:
        name = _login_name({"username": username, **credentials})
        ip = client_ip(request) if request is not None else ""
        if enabled() and name and login_locked(name, ip) is not None:
            if request is not None:
                request._innkeeper_login_locked = True  # type: ignore[attr-defined]
            # PermissionDenied stops Django from trying any other backend.
            raise PermissionDenied("login locked after too many failed attempts")
        return super().authenticate(request, username=username, password=password, **credentials)
