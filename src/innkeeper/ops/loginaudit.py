"""Django's login signals -> `accounts.logins.login_record`, with the door and client IP.

Every door (API, admin, desk, guest pages) authenticates through `authenticate(request, ...)`
and announces a success with `user_logged_in`, so these two receivers see every attempt."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from innkeeper.accounts.logins import login_failure_subject, login_record
from innkeeper.ops.ratelimit.identity import client_ip

DOORS = (("/api/", "api"), ("/admin/", "admin"), ("/desk/", "desk"))


def login_door(request: HttpRequest) -> str:
    path = request.path_info
    return next((door for prefix, door in DOORS if path.startswith(prefix)), "web")


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None:  # force_login in tests and scripts: not a login attempt
        return
    login_record(
        email=user.email,
        user=user,
        succeeded=True,
        source=login_door(request),
        ip=client_ip(request),
    )


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if request is None:
        return
    email = str(credentials.get("username") or credentials.get("email") or "")
    locked = bool(getattr(request, "_innkeeper_login_locked", False))
    user, reason = login_failure_subject(email, locked=locked)
    login_record(
        email=email,
        user=user,
        succeeded=False,
        source=login_door(request),
        ip=client_ip(request),
        reason=reason,
    )
