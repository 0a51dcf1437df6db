"""Notification tasks. Thin: they take ids and call services."""

from __future__ import annotations

from django.tasks import task
from structlog.contextvars import bind_contextvars

from innkeeper.bookings.models import Booking
from innkeeper.jobs.retry import retry_policy
from innkeeper.notifications.services import REMINDER, booking_email_send, reminders_due


@task(queue_name="notifications")
@retry_policy(give_up_on=(Booking.DoesNotExist, ValueError))
def send_booking_email(*, booking_id: int, kind: str, site_url: str = "", copy: str = "") -> str:
    # The worker's log lines name the job; this names the booking people talk about.
    reference = Booking.objects.filter(pk=booking_id).values_list("reference", flat=True).first()
    bind_contextvars(booking_ref=reference)
    return booking_email_send(booking_id=booking_id, kind=kind, site_url=site_url, copy=copy)


@task(queue_name="notifications")
@retry_policy(max_attempts=3)
def send_due_reminders() -> int:
    """Periodic: one reminder job per booking due (each one idempotent on its own)."""
    due = reminders_due()
    for booking_id in due:
        send_booking_email.enqueue(booking_id=booking_id, kind=REMINDER)
    return len(due)
