"""Booking jobs. Thin: they call services."""

from __future__ import annotations

from django.tasks import task

from innkeeper.bookings.services import bookings_expire_pending
from innkeeper.jobs.retry import retry_policy


@task(queue_name="default")
@retry_policy(max_attempts=3)
def expire_pending_bookings() -> int:
    """Kept for jobs queued before the schedule moved to flows.tasks.expire_pending_holds
    (which also closes online checkouts); the scheduler no longer enqueues it."""
    return len(bookings_expire_pending())
