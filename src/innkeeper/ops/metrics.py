"""The figures an operator watches (the runbooks' metrics:users, metrics:errors, queue:size,
db:connections), read from the database in a handful of queries: no metrics server needed."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from innkeeper.accounts.models import ApiToken
from innkeeper.bookings.models import Booking, BookingEvent, BookingStatus
from innkeeper.jobs.selectors import queue_stats
from innkeeper.notifications.models import SentEmail, SentEmailStatus
from innkeeper.payments.models import OPEN_STATUSES, Payment, PaymentStatus


@dataclass(frozen=True)
class Metrics:
    window_seconds: int
    bookings: dict[str, int]  # status changes in the window, by new status
    booking_success_rate: float | None  # confirmed / (confirmed + expired) in the window
    bookings_pending_now: int
    payments: dict[str, int]
    emails: dict[str, int]
    queue: dict[str, Any]
    active_users: dict[str, int]
    database: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _booking_changes(since: datetime) -> dict[str, int]:
    rows = (
        BookingEvent.objects.filter(created_at__gte=since)
        .values("to_status")
        .annotate(n=Count("id"))
    )
    return {row["to_status"]: row["n"] for row in rows}


def _success_rate(changes: dict[str, int]) -> float | None:
    confirmed = changes.get(BookingStatus.CONFIRMED, 0)
    expired = changes.get(BookingStatus.EXPIRED, 0)
    return round(confirmed / (confirmed + expired), 3) if confirmed + expired else None


def _payments(since: datetime) -> dict[str, int]:
    recent = Payment.objects.filter(updated_at__gte=since)
    return {
        "open_now": Payment.objects.filter(status__in=OPEN_STATUSES).count(),
        "succeeded": recent.filter(status=PaymentStatus.SUCCEEDED).count(),
        "failed": recent.filter(status=PaymentStatus.FAILED).count(),
        "provider_unavailable_now": Payment.objects.filter(
            status=PaymentStatus.PROVIDER_UNAVAILABLE
        ).count(),
    }


def _queue() -> dict[str, Any]:
    stats = queue_stats()
    ages = [s.oldest_waiting_seconds for s in stats if s.oldest_waiting_seconds is not None]
    return {
        "waiting": sum(s.waiting for s in stats),
        "running": sum(s.running for s in stats),
        "failed": sum(s.failed for s in stats),
        "oldest_waiting_seconds": max(ages) if ages else None,
    }


def _active_users(since: datetime) -> dict[str, int]:
    now = timezone.now()
    return {
        "api_users": ApiToken.objects.filter(last_used_at__gte=since)
        .values("user_id")
        .distinct()
        .count(),
        "browser_sessions": Session.objects.filter(expire_date__gt=now).count(),
    }


def _database() -> dict[str, Any]:
    if connection.vendor != "postgresql":
        return {"vendor": connection.vendor}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), current_setting('max_connections')::int FROM pg_stat_activity"
        )
        used, limit = cursor.fetchone() or (0, 0)
    return {"vendor": "postgresql", "connections": used, "max_connections": limit}


def metrics_snapshot(*, window: timedelta) -> Metrics:
    since = timezone.now() - window
    changes = _booking_changes(since)
    sent = SentEmail.objects.filter(claimed_at__gte=since)
    return Metrics(
        window_seconds=int(window.total_seconds()),
        bookings=changes,
        booking_success_rate=_success_rate(changes),
        bookings_pending_now=Booking.objects.filter(status=BookingStatus.PENDING).count(),
        payments=_payments(since),
        emails={
            "sent": sent.filter(status=SentEmailStatus.SENT).count(),
            # Claimed but never marked sent: in flight, or a worker died mid-send.
            "sending": sent.exclude(status=SentEmailStatus.SENT).count(),
        },
        queue=_queue(),
        active_users=_active_users(since),
        database=_database(),
    )
