"""Notification tasks. Thin: they take ids and call services."""

from __future__ import annotations

from django.tasks import task

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking
from innkeeper.jobs.logcontext import log_context
from innkeeper.jobs.retry import retry_policy
from innkeeper.notifications.account_emails import account_email_send
from innkeeper.notifications.property_alerts import property_alert_send
from innkeeper.notifications.services import REMINDER, booking_email_send, reminders_due
from innkeeper.rooms.models import Property


def booking_log_context(*, booking_id: int, **_: object) -> dict[str, object]:
    """The worker's log lines name the job; this adds the reference people talk about."""
    reference = Booking.objects.filter(pk=booking_id).values_list("reference", flat=True).first()
    return {"booking_ref": reference}


@task(queue_name="notifications")
@retry_policy(give_up_on=(Booking.DoesNotExist, ValueError))
@log_context(booking_log_context)
def send_booking_email(*, booking_id: int, kind: str, site_url: str = "", copy: str = "") -> str:
    return booking_email_send(booking_id=booking_id, kind=kind, site_url=site_url, copy=copy)


@task(queue_name="notifications")
@retry_policy(max_attempts=3)
def send_due_reminders() -> int:
    """Periodic: one reminder job per booking due (each one idempotent on its own)."""
    due = reminders_due()
    for booking_id in due:
        send_booking_email.enqueue(booking_id=booking_id, kind=REMINDER)
    return len(due)


@task(queue_name="notifications")
@retry_policy(give_up_on=(User.DoesNotExist, ValueError))
def send_account_email(*, user_id: int, kind: str, site_url: str = "", nonce: str = "") -> str:
    return account_email_send(user_id=user_id, kind=kind, site_url=site_url, nonce=nonce)


@task(queue_name="notifications")
@retry_policy(give_up_on=(Property.DoesNotExist,))
def send_property_alert(*, property_id: int, key: str, subject: str, body: str) -> str:
    return property_alert_send(property_id=property_id, key=key, subject=subject, body=body)
