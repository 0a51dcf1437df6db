"""The queries behind the scrape-time gauges: each one a single aggregate, bounded by an index
or a time window, so a scrape stays cheap as the tables grow."""

from __future__ import annotations

from datetime import datetime, timedelta

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Count, Min
from django.utils import timezone

from innkeeper.bookings.models import ACTIVE_STATUSES, Booking
from innkeeper.jobs.models import ScheduleEntry
from innkeeper.jobs.selectors import QueueStats, queue_stats
from innkeeper.jobs.selectors import live_workers as _live_workers
from innkeeper.notifications.models import SentEmail
from innkeeper.ops.backups.selectors import backup_status
from innkeeper.ops.metrics import _booking_changes, _success_rate
from innkeeper.ops.state import current_state
from innkeeper.payments.models import OPEN_STATUSES, Payment, PaymentStatus, Purpose


def database_connections() -> tuple[float | None, float | None]:
    if connection.vendor != "postgresql":
        return None, None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), current_setting('max_connections')::int FROM pg_stat_activity"
        )
        used, limit = cursor.fetchone() or (0, 0)
    return float(used), float(limit)


def bookings() -> dict[str, float]:
    """Bookings holding a room now, by status (the others only grow with history)."""
    counts = {status: 0.0 for status in ACTIVE_STATUSES}
    rows = (
        Booking.objects.filter(status__in=ACTIVE_STATUSES)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts.update({row["status"]: float(row["n"]) for row in rows})
    return counts


def booking_changes(window: timedelta) -> tuple[dict[str, float], float | None]:
    changes = _booking_changes(timezone.now() - window)
    return {k: float(v) for k, v in changes.items()}, _success_rate(changes)


def payments() -> tuple[dict[str, float], float, float]:
    """Payments by status (every status, final ones included, zero when none: a rate of
    `failed` or a pile of `due_at_desk` refunds is as telling as a stuck `processing`), the
    oldest open one's age, and open refunds. One GROUP BY over the (status, updated_at) index."""
    counts = {status.value: 0.0 for status in PaymentStatus}
    rows = Payment.objects.values("status").annotate(n=Count("id")).order_by()
    counts.update({row["status"]: float(row["n"]) for row in rows})
    open_payments = Payment.objects.filter(status__in=OPEN_STATUSES)
    oldest = open_payments.aggregate(oldest=Min("created_at"))["oldest"]
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    refunds = open_payments.filter(purpose=Purpose.REFUND).count()
    return counts, age, float(refunds)


def queues() -> list[QueueStats]:
    return queue_stats()


def live_workers() -> float:
    return float(_live_workers().count())


def scheduler_last_runs() -> dict[str, float]:
    rows = ScheduleEntry.objects.exclude(last_run_at=None).values_list("name", "last_run_at")
    return {name: last.timestamp() for name, last in rows if last is not None}


def emails() -> dict[str, float]:
    """Emails claimed in the last hour by status; `sending` ones older than the visibility
    timeout are counted as `stuck` (a worker died mid-send, or SMTP hangs)."""
    now = timezone.now()
    recent = SentEmail.objects.filter(claimed_at__gte=now - timedelta(hours=1))
    counts = {"sent": 0.0, "sending": 0.0}
    rows = recent.values("status").annotate(n=Count("id")).order_by()
    counts.update({row["status"]: float(row["n"]) for row in rows})
    stale = now - timedelta(seconds=settings.JOBS_VISIBILITY_TIMEOUT_SECONDS)
    counts["stuck"] = float(
        SentEmail.objects.filter(status="sending", claimed_at__lt=stale).count()
    )
    return counts


def modes() -> tuple[float, float]:
    state = current_state()
    return float(state.maintenance), float(state.read_only)


def backups() -> tuple[float | None, float | None, float | None]:
    status = backup_status()
    last_backup = status.latest.created.timestamp() if status.latest else None
    drill = status.last_verified
    if drill is None or not drill.verification:
        return last_backup, None, None
    verified_at = drill.verification.get("verified_at")
    when = datetime.fromisoformat(verified_at).timestamp() if verified_at else None
    return last_backup, when, float(bool(drill.verified))


def backup_extras() -> tuple[float | None, float | None, float | None]:
    """(last verified off-site copy, last drill's seconds, WAL archive lag seconds)."""
    from innkeeper.ops.backups.selectors import backup_times, wal_archive

    times = backup_times()
    offsite = times["last_offsite"].timestamp() if times["last_offsite"] else None
    wal = wal_archive()
    return offsite, times["last_drill_seconds"], wal["lag_seconds"] if wal else None


def redis_state() -> tuple[float, float | None]:
    """(configured, fallback active): one PING with the short Redis timeout."""
    if not settings.REDIS_URL:
        return 0.0, None
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
        socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
    )
    try:
        client.ping()
    except redis.RedisError:
        return 1.0, 1.0
    finally:
        client.close()
    return 1.0, 0.0
