"""The one place a login attempt is recorded (issue 15): every door (API, admin, desk and
guest pages) ends here, so `innkeeper audit --action auth.login` shows them all and
`innkeeper_logins_total` counts them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from innkeeper.accounts.models import User
from innkeeper.core.audit import audit_log
from innkeeper.core.instruments import LOGINS
from innkeeper.core.models import AuditEvent

LOGIN_SUCCEEDED = "auth.login_succeeded"
LOGIN_FAILED = "auth.login_failed"
# Why a login failed, as written in the audit row's details.
REASONS = frozenset({"bad_credentials", "unknown_account", "inactive", "locked"})


def login_record(
    *, email: str, user: User | None, succeeded: bool, source: str, ip: str, reason: str = ""
) -> None:
    """Audit one login attempt: account, source (api, admin, desk, web), client IP, reason.

    Successes also mark `ip` as a known source of the account (see `known_login_source`)."""
    audit_log(
        LOGIN_SUCCEEDED if succeeded else LOGIN_FAILED,
        actor=user,
        actor_label=email.strip().lower()[:200],
        target=f"user:{user.pk}" if user is not None else "",
        source=source,
        details={"ip": ip, **({} if succeeded else {"reason": reason})},
    )
    outcome = "succeeded" if succeeded else "failed"
    LOGINS.labels(source=source, outcome=outcome, reason="" if succeeded else reason).inc()


def login_failure_subject(email: str, *, locked: bool) -> tuple[User | None, str]:
    """Whose account a failed attempt was on, and why it failed (for the audit row only:
    the client always gets the same answer)."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if locked:
        return user, "locked"
    if user is None:
        return None, "unknown_account"
    return user, "bad_credentials" if user.is_active else "inactive"


def known_login_source(*, email: str, ip: str) -> bool:
    """True when `email` logged in successfully from `ip` within LOGIN_KNOWN_SOURCE_DAYS.

    Read only while the account is locked, so scanning the audit trail costs nothing in
    the normal path."""
    if not ip:
        return False
    since = timezone.now() - timedelta(days=settings.LOGIN_KNOWN_SOURCE_DAYS)
    return AuditEvent.objects.filter(
        action=LOGIN_SUCCEEDED,
        actor__email__iexact=email.strip(),
        created_at__gte=since,
        details__ip=ip,
    ).exists()
