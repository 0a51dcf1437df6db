"""Housekeeping tasks run by the scheduler (see periodic.py)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from innkeeper.core.models import IdempotencyRecord
from innkeeper.jobs.models import WorkerHeartbeat
from innkeeper.jobs.retry import retry_policy
from innkeeper.jobs.services import jobs_prune


@task(queue_name="default")
@retry_policy(max_attempts=3)
def prune_finished_jobs() -> int:
    pruned = jobs_prune(older_than=timedelta(days=settings.JOBS_RETENTION_DAYS))
    pruned += jobs_prune(
        older_than=timedelta(days=settings.JOBS_FAILED_RETENTION_DAYS), include_failed=True
    )
    gone = timezone.now() - timedelta(days=1)
    WorkerHeartbeat.objects.filter(last_seen__lt=gone).delete()
    return pruned


@task(queue_name="default")
@retry_policy(max_attempts=3)
def prune_idempotency_records() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
