"""Writes of guest data: erase (anonymise) on request, and the retention sweep (GDPR Art. 17).

Erasing anonymises rather than deletes: bookings, payments, the ledger and receipts are
accounting records the law makes the hotel keep, so they stay with the guest's name, email,
phone and notes replaced. The account is deactivated, its tokens and sessions revoked.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from innkeeper.accounts.models import STAFF_ROLES, ApiToken, Role, User
from innkeeper.bookings.models import ACTIVE_STATUSES, Booking
from innkeeper.core.audit import audit_log
from innkeeper.core.errors import Conflict
from innkeeper.core.models import AuditEvent, IdempotencyRecord
from innkeeper.privacy.selectors import ERASED_DOMAIN, Guest, is_erased_email

logger = logging.getLogger("innkeeper.privacy")

ERASED_NAME = "Erased guest"
KEPT_RECORDS = (
    "Bookings, payments, the ledger and receipts are kept (anonymised) because accounting "
    "law requires it; receipts already issued keep the name printed on them."
)


@dataclass(frozen=True)
class Erased:
    pseudonym: str
    bookings: int
    emails: int
    tokens: int
    sessions: int


@dataclass
class RetentionReport:
    erased: int = 0
    skipped: int = 0
    pseudonyms: list[str] = field(default_factory=list)


def _pseudonym(guest: Guest) -> str:
    # Ids, not hashes of the email: a hash of an email is still personal data.
    if guest.user is not None:
        return f"erased-{guest.user.pk}"
    return f"erased-{secrets.token_hex(5)}"


def _refuse_if_not_erasable(guest: Guest) -> None:
    if guest.user is not None and guest.user.role in STAFF_ROLES:
        raise Conflict(
            "This is a staff account; staff accounts are not erased as guests.",
            code="guest_is_staff",
        )
    active = list(
        guest.bookings()
        .filter(status__in=ACTIVE_STATUSES)
        .order_by("check_in")
        .values_list("reference", "status")
    )
    if active:
        listed = ", ".join(f"{ref} ({status})" for ref, status in active)
        raise Conflict(
            f"The guest has active bookings: {listed}. Cancel or check them out first.",
            code="guest_has_active_booking",
        )


def _user_sessions(user: User) -> list[str]:
    # Session data is opaque in the table; decoding each one is fine at hotel scale.
    return [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]


def _erase_account(user: User, email: str) -> tuple[int, int]:
    """Deactivate and anonymise the account; returns (tokens revoked, sessions deleted)."""
    user.email = email
    user.name = ERASED_NAME
    user.phone = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "name", "phone", "is_active", "password"])
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    sessions = Session.objects.filter(session_key__in=_user_sessions(user)).delete()[0]
    # Replayable responses may carry the guest's details; they are only kept for retries.
    IdempotencyRecord.objects.filter(user=user).delete()
    # Earlier audit rows name the guest by email; keep the rows, drop the email.
    AuditEvent.objects.filter(actor=user).update(actor_label=email)
    return tokens, sessions


@transaction.atomic
def guest_erase(
    *, guest: Guest, actor_label: str, source: str = "cli", actor: User | None = None
) -> Erased:
    """Anonymise `guest` everywhere; refuse (409) for staff or while a booking is active."""
    if guest.user is not None:
        # Lock the account so a concurrent erase (or booking) waits for this one.
        User.objects.select_for_update().filter(pk=guest.user.pk).first()
    _refuse_if_not_erasable(guest)
    pseudonym = _pseudonym(guest)
    email = f"{pseudonym}@{ERASED_DOMAIN}"
    booking_ids = list(guest.bookings().values_list("pk", flat=True))
    references = list(
        Booking.objects.filter(pk__in=booking_ids).values_list("reference", flat=True)
    )
    emails = guest.emails().update(to=email)
    AuditEvent.objects.filter(target__iexact=guest.email).update(target=pseudonym)
    bookings = Booking.objects.filter(pk__in=booking_ids).update(
        guest_name=ERASED_NAME, guest_email=email, guest_phone="", notes=""
    )
    tokens = sessions = 0
    if guest.user is not None:
        tokens, sessions = _erase_account(guest.user, email)
    # No personal data in this row: the pseudonym and counts only.
    audit_log(
        "guest.erased",
        actor=actor,
        actor_label=actor_label,
        target=pseudonym,
        source=source,
        details={"bookings": references, "emails": emails, "tokens": tokens},
    )
    return Erased(pseudonym, bookings, emails, tokens, sessions)


def _recent(cutoff_day: date) -> QuerySet[Booking]:
    """Bookings that keep their guest: active ones and any ending after the cutoff."""
    return Booking.objects.filter(Q(status__in=ACTIVE_STATUSES) | Q(check_out__gt=cutoff_day))


def _stale_emails(cutoff_day: date, *, limit: int) -> list[str]:
    """Booking emails (not staff, not erased) with no booking that keeps them."""
    recent = _recent(cutoff_day)
    candidates = (
        Booking.objects.filter(check_out__lte=cutoff_day)
        .exclude(guest_email__iendswith=f"@{ERASED_DOMAIN}")
        .exclude(guest_email__in=recent.values("guest_email"))
        .exclude(guest__in=recent.filter(guest__isnull=False).values("guest"))
        .exclude(guest_email__in=User.objects.filter(role__in=STAFF_ROLES).values("email"))
        .exclude(guest__role__in=STAFF_ROLES)
        .values_list("guest_email", flat=True)
        .distinct()
        .order_by("guest_email")
    )
    return list(candidates[:limit])


def _stale_accounts(cutoff_day: date, *, limit: int) -> list[str]:
    """Guest accounts that have stayed, whose bookings (under any email) all ended long ago."""
    recent = _recent(cutoff_day)
    accounts = (
        User.objects.filter(role=Role.GUEST, bookings__check_out__lte=cutoff_day)
        .exclude(email__iendswith=f"@{ERASED_DOMAIN}")
        .exclude(pk__in=recent.filter(guest__isnull=False).values("guest"))
        .values_list("email", flat=True)
        .distinct()
        .order_by("email")
    )
    return list(accounts[:limit])


def _stale_guest(email: str, cutoff_day: date) -> Guest | None:
    """The guest to erase, re-checked one by one (emails may differ in case between rows)."""
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and (user.role != Role.GUEST or is_erased_email(user.email)):
        return None
    guest = Guest(email=email.lower(), user=user)
    if guest.bookings().filter(pk__in=_recent(cutoff_day).values("pk")).exists():
        return None
    return guest


def guests_retention_sweep(*, now: datetime | None = None, limit: int = 500) -> RetentionReport:
    """Anonymise guests whose last stay ended over GUEST_RETENTION_DAYS ago. Idempotent:
    erased guests no longer match. Each guest is its own transaction; one refusal (a booking
    made meanwhile) skips that guest and the rest go on."""
    now = now or timezone.now()
    cutoff_day = (now - timedelta(days=settings.GUEST_RETENTION_DAYS)).date()
    report = RetentionReport()
    emails = _stale_accounts(cutoff_day, limit=limit) + _stale_emails(cutoff_day, limit=limit)
    for email in dict.fromkeys(e.lower() for e in emails):
        guest = _stale_guest(email, cutoff_day)
        if guest is None:
            report.skipped += 1
            continue
        try:
            erased = guest_erase(guest=guest, actor_label="system:retention", source="system")
        except Conflict:
            report.skipped += 1
            continue
        report.erased += 1
        report.pseudonyms.append(erased.pseudonym)
    if report.erased:
        logger.info("retention: anonymised %d guest(s)", report.erased)
    return report
