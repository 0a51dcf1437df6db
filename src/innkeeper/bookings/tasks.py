"""Booking jobs, registered on the schedule by BookingsConfig.ready(). Thin: they call services."""

from __future__ import annotations

from django.tasks import task

from innkeeper.bookings.services import bookings_expire_pending
from innkeeper.jobs.retry import retry_policy


@task(queue_name="default")
@retry_policy(max_attempts=3)
def expire_pending_bookings() -> int:
    return len(bookings_expire_pending())
