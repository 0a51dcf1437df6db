"""Maintenance and read-only mode: switches (services), the bypass cookie, and job helpers."""

from __future__ import annotations

import hmac
import time
from typing import Any

from django.core import signing
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from innkeeper.core.audit import audit_log
from innkeeper.core.errors import InvalidInput
from innkeeper.ops.models import SiteMode
from innkeeper.ops.state import OpsState, StateUnavailable, current_state, forget_state

BYPASS_COOKIE = "innkeeper_bypass"
BYPASS_SALT = "innkeeper.ops.maintenance.bypass"
BYPASS_MAX_AGE_SECONDS = 12 * 3600
MIN_SECRET_LENGTH = 8


def secret_hash(secret: str) -> str:
    """HMAC-SHA256 keyed with SECRET_KEY: a copy of the database (a backup) does not let
    anyone test guesses offline. Not a slow hash on purpose: every one-segment path is a
    candidate while in maintenance, and a slow hash there would be a CPU lever for anyone."""
    return salted_hmac(BYPASS_SALT, secret, algorithm="sha256").hexdigest()


def _switch(
    *, actor: str, source: str, action: str, details: dict[str, Any], **fields: Any
) -> None:
    with transaction.atomic():
        SiteMode.objects.update_or_create(
            pk=SiteMode.SINGLETON_PK,
            defaults={**fields, "changed_by": actor[:200], "changed_at": timezone.now()},
        )
        audit_log(action, actor_label=actor, target="site", source=source, details=details)
    forget_state()


def maintenance_enable(
    *,
    actor: str,
    source: str = "cli",
    secret: str = "",
    message: str = "",
    retry_after: int = 60,
    refresh: int | None = None,
) -> None:
    if secret and (len(secret) < MIN_SECRET_LENGTH or not secret.replace("-", "").isalnum()):
        raise InvalidInput(
            f"The bypass secret must be at least {MIN_SECRET_LENGTH} letters, digits or dashes."
        )
    if retry_after < 1 or (refresh is not None and refresh < 1):
        raise InvalidInput("--retry and --refresh must be positive numbers of seconds.")
    _switch(
        actor=actor,
        source=source,
        action="maintenance.enabled",
        details={
            "message": message,
            "retry_after": retry_after,
            "refresh": refresh,
            "with_secret": bool(secret),
        },
        maintenance=True,
        message=message[:500],
        retry_after=retry_after,
        refresh=refresh,
        secret_hash=secret_hash(secret) if secret else "",
    )


def maintenance_disable(*, actor: str, source: str = "cli") -> None:
    _switch(
        actor=actor,
        source=source,
        action="maintenance.disabled",
        details={},
        maintenance=False,
        secret_hash="",
        refresh=None,
    )


def read_only_set(*, enabled: bool, actor: str, source: str = "cli") -> None:
    _switch(
        actor=actor,
        source=source,
        action="maintenance.read_only_enabled" if enabled else "maintenance.read_only_disabled",
        details={},
        read_only=enabled,
    )


def site_mode_put_back(*, previous: SiteMode, actor: str, source: str = "cli") -> None:
    """Set every switch back to `previous` (after a restore brought back the backup's own)."""
    _switch(
        actor=actor,
        source=source,
        action="maintenance.enabled" if previous.maintenance else "maintenance.disabled",
        details={"reason": "mode put back after a backup restore"},
        maintenance=previous.maintenance,
        read_only=previous.read_only,
        message=previous.message,
        retry_after=previous.retry_after,
        refresh=previous.refresh,
        secret_hash=previous.secret_hash,
    )


def mode_of(row: SiteMode) -> str:
    return "maintenance" if row.maintenance else ("read_only" if row.read_only else "normal")


def site_mode_row() -> SiteMode:
    """The stored row, fresh from the database (for `innkeeper maintenance status`)."""
    return SiteMode.objects.filter(pk=SiteMode.SINGLETON_PK).first() or SiteMode()


def writes_frozen() -> bool:
    """Scheduled jobs that write call this first and wait while it is True.

    True in read-only and maintenance mode, and when the state cannot be read at all
    (the database is down, so a write would fail anyway).
    """
    try:
        state = current_state()
    except StateUnavailable:
        return True
    return state.read_only or state.maintenance


def wait_until_writable(*, timeout: float, poll: float = 1.0) -> bool:
    """Block up to `timeout` seconds until writes are allowed; True when they are."""
    deadline = time.monotonic() + timeout
    while writes_frozen():
        if time.monotonic() >= deadline:
            return False
        time.sleep(poll)
    return True


# --- the bypass cookie ------------------------------------------------------------------


def secret_matches(state: OpsState, candidate: str) -> bool:
    if not state.secret_hash or len(candidate) < MIN_SECRET_LENGTH:
        return False
    return hmac.compare_digest(state.secret_hash, secret_hash(candidate))


def bypass_cookie_value(state: OpsState) -> str:
    # Bound to the current secret: a new `maintenance down --secret` voids old cookies.
    return signing.dumps({"s": state.secret_hash[:16]}, salt=BYPASS_SALT)


def has_bypass(request: HttpRequest, state: OpsState) -> bool:
    value = request.COOKIES.get(BYPASS_COOKIE)
    if not value or not state.secret_hash:
        return False
    try:
        payload = signing.loads(value, salt=BYPASS_SALT, max_age=BYPASS_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return False
    return isinstance(payload, dict) and payload.get("s") == state.secret_hash[:16]
