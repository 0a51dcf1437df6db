"""Reads about the queue for `innkeeper queue status|failed` and health checks."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from innkeeper.jobs.models import WorkerHeartbeat


@dataclass(frozen=True)
class QueueStats:
    queue: str
    waiting: int  # READY and due now
    scheduled: int  # READY but waiting for a retry delay or a run_after time
    running: int
    failed: int
    oldest_waiting_seconds: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def queue_names() -> list[str]:
    configured = settings.TASKS.get("default", {}).get("QUEUES") or ["default"]
    seen = set(DBTaskResult.objects.values_list("queue_name", flat=True).distinct())
    return sorted(set(configured) | seen)


def queue_stats(*, now: datetime | None = None) -> list[QueueStats]:
    now = now or timezone.now()
    due = Q(status=TaskResultStatus.READY) & (Q(run_after__lte=now) | Q(run_after=get_date_max()))
    rows = (
        DBTaskResult.objects.values("queue_name")
        .annotate(
            waiting=Count("id", filter=due),
            scheduled=Count("id", filter=Q(status=TaskResultStatus.READY) & ~due),
            running=Count("id", filter=Q(status=TaskResultStatus.RUNNING)),
            failed=Count("id", filter=Q(status=TaskResultStatus.FAILED)),
            oldest=Min("enqueued_at", filter=due),
        )
        .order_by()
    )
    by_queue: dict[str, dict[str, Any]] = {row["queue_name"]: dict(row) for row in rows}
    stats = []
    for name in queue_names():
        row: dict[str, Any] = by_queue.get(name, {})
        oldest = row.get("oldest")
        stats.append(
            QueueStats(
                queue=name,
                waiting=row.get("waiting", 0),
                scheduled=row.get("scheduled", 0),
                running=row.get("running", 0),
                failed=row.get("failed", 0),
                oldest_waiting_seconds=round((now - oldest).total_seconds(), 1) if oldest else None,
            )
        )
    return stats


def failed_jobs() -> QuerySet[DBTaskResult[..., Any]]:
    return DBTaskResult.objects.failed().order_by("-finished_at")


def live_workers(*, now: datetime | None = None) -> QuerySet[WorkerHeartbeat]:
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.JOBS_VISIBILITY_TIMEOUT_SECONDS)
    return WorkerHeartbeat.objects.filter(last_seen__gte=cutoff)


def error_summary(job: DBTaskResult[..., Any]) -> str:
    """The exception's last line (`smtplib.SMTPServerDisconnected: ...`), never the traceback."""
    lines = [line for line in job.traceback.strip().splitlines() if line.strip()]
    summary: str = lines[-1] if lines else job.exception_class_path
    return summary[:200]


def attempts(job: DBTaskResult[..., Any]) -> int:
    return len(job.worker_ids or [])
