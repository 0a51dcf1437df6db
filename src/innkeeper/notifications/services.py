"""Guest notifications: the hook booking services call, and the sending logic tasks call."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from innkeeper.bookings.models import Booking
from innkeeper.bookings.models import BookingStatus as S
from innkeeper.bookings.rules import property_today
from innkeeper.bookings.selectors import booking_by_reference
from innkeeper.core.audit import audit_log
from innkeeper.core.errors import InvalidTransition
from innkeeper.jobs.enqueue import enqueue_with_transaction
from innkeeper.notifications.emails import deliver_once, render_booking_email
from innkeeper.notifications.models import SentEmail

CONFIRMED, CANCELLED, REMINDER = "booking_confirmed", "booking_cancelled", "booking_reminder"
RECEIVED = "booking_received"
CHANGED = "booking_changed"
EMAIL_FOR_STATUS = {S.CONFIRMED: CONFIRMED, S.CANCELLED: CANCELLED}
# An email only makes sense while the booking is still in one of these statuses.
STILL_RELEVANT = {
    CONFIRMED: {S.CONFIRMED, S.CHECKED_IN, S.CHECKED_OUT},
    CANCELLED: {S.CANCELLED},
    REMINDER: {S.CONFIRMED},
    # Booked on the pages and waiting (deposit or the property's confirmation): the guest
    # was promised the manage link at once; still useful if confirmed meanwhile.
    RECEIVED: {S.PENDING, S.CONFIRMED},
    # The stay as changed: worth sending while the guest still has it.
    CHANGED: {S.PENDING, S.CONFIRMED, S.CHECKED_IN},
}


def booking_status_notify(*, booking: Booking, site_url: str = "") -> None:
    """Called inside the booking's transaction after a status change: the email job commits
    or rolls back together with the change.

    `site_url` is the address the guest booked on (web pages): the email then carries the
    link to manage the booking, and a pending booking gets a "received" email with it.
    """
    kind = EMAIL_FOR_STATUS.get(S(booking.status))
    if kind is None and site_url and booking.status == S.PENDING:
        kind = RECEIVED
    if kind:
        from innkeeper.notifications.tasks import send_booking_email

        extra = {"site_url": site_url} if site_url else {}
        enqueue_with_transaction(send_booking_email, booking_id=booking.pk, kind=kind, **extra)


def booking_change_notify(*, booking: Booking, site_url: str = "") -> None:
    """Called inside a booking change's transaction: one email per change (its own
    at-most-once key), queued with the change or not at all."""
    from innkeeper.notifications.tasks import send_booking_email

    extra = {"site_url": site_url} if site_url else {}
    copy = f"change-{uuid.uuid4().hex[:12]}"
    enqueue_with_transaction(
        send_booking_email, booking_id=booking.pk, kind=CHANGED, copy=copy, **extra
    )


def email_key(booking_id: int, kind: str, copy: str = "") -> str:
    # The kind stays the last part: deliver_once reads it from there.
    return f"booking:{booking_id}:copy-{copy}:{kind}" if copy else f"booking:{booking_id}:{kind}"


# What a guest who lost their email gets again, by the booking's status now.
RESEND_FOR_STATUS = {
    S.PENDING: RECEIVED,
    S.CONFIRMED: CONFIRMED,
    S.CHECKED_IN: CONFIRMED,
    S.CANCELLED: CANCELLED,
}


def booking_email_resend(*, reference: str, site_url: str, actor_label: str) -> str:
    """Queue a fresh copy of the booking's current email (with a new manage link). A copy
    has its own at-most-once key, so re-running the job still sends it only once."""
    booking = booking_by_reference(reference)
    kind = RESEND_FOR_STATUS.get(S(booking.status))
    if kind is None:
        raise InvalidTransition(
            f"Booking {booking.reference} is {booking.status}; there is no email to resend.",
            code="nothing_to_resend",
        )
    from innkeeper.notifications.tasks import send_booking_email

    with transaction.atomic():
        copy = uuid.uuid4().hex[:12]
        send_booking_email.enqueue(booking_id=booking.pk, kind=kind, site_url=site_url, copy=copy)
        audit_log(
            "email.resend_queued",
            actor_label=actor_label,
            target=booking.reference,
            source="cli",
            details={"kind": kind, "copy": copy},
        )
    return kind


def booking_email_send(*, booking_id: int, kind: str, site_url: str = "", copy: str = "") -> str:
    """Send one guest email for a booking, at most once. Returns what happened."""
    if kind not in STILL_RELEVANT:
        raise ValueError(f"unknown email kind {kind!r}")
    booking = Booking.objects.select_related("property", "room__room_type").get(pk=booking_id)
    if booking.status not in STILL_RELEVANT[kind]:
        return f"skipped: booking is {booking.status}"
    message = render_booking_email(booking, kind, site_url=settings.SITE_URL or site_url)
    key = email_key(booking.pk, kind, copy)
    sent = deliver_once(key=key, message=message, booking=booking)
    return "sent" if sent else "already sent"


def reminders_due() -> list[int]:
    """Confirmed bookings arriving within NOTIFICATIONS_REMINDER_DAYS_BEFORE days (in the
    property's own calendar) that have not had their reminder."""
    days = settings.NOTIFICATIONS_REMINDER_DAYS_BEFORE
    utc_today = timezone.now().date()
    candidates = Booking.objects.filter(
        status=S.CONFIRMED,
        check_in__gt=utc_today - timedelta(days=1),
        check_in__lte=utc_today + timedelta(days=days + 1),
    ).select_related("property")
    done = set(
        SentEmail.objects.filter(kind=REMINDER, booking__in=candidates).values_list(
            "booking_id", flat=True
        )
    )
    due = []
    for booking in candidates:
        until = (booking.check_in - property_today(booking.property)).days
        if 0 < until <= days and booking.pk not in done:
            due.append(booking.pk)
    return due
