"""Writes on the job queue: retry, forget, prune, and recovery of jobs from dead workers."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from innkeeper.core.errors import InvalidInput, NotFound
from innkeeper.jobs.retry import DEFAULT_POLICY, RetryPolicy, policy_for
from innkeeper.jobs.selectors import live_workers

logger = logging.getLogger("innkeeper.jobs")
WORKER_LOST = "innkeeper.jobs.WorkerLost"


def parse_job_ids(raw_ids: Iterable[str]) -> list[uuid.UUID]:
    parsed = []
    for raw in raw_ids:
        try:
            parsed.append(uuid.UUID(raw.strip()))
        except ValueError as error:
            raise InvalidInput(
                f"{raw!r} is not a job id (see `innkeeper queue failed`)."
            ) from error
    return parsed


def _failed_by_ids(ids: list[uuid.UUID]) -> list[DBTaskResult[..., Any]]:
    """All or nothing: every id must name a failed job, so a typo changes nothing."""
    jobs = list(DBTaskResult.objects.failed().filter(id__in=ids))
    missing = {str(i) for i in ids} - {str(job.id) for job in jobs}
    if missing:
        raise NotFound(
            "No failed job with id " + ", ".join(sorted(missing)) + "; nothing was changed.",
            code="job_not_found",
        )
    return jobs


@transaction.atomic
def jobs_retry(*, ids: list[uuid.UUID] | None = None) -> list[str]:
    """Put failed jobs back in their queue with a fresh set of attempts. None = all failed."""
    jobs = DBTaskResult.objects.failed() if ids is None else _failed_by_ids(ids)
    job_ids = [job.id for job in jobs]
    DBTaskResult.objects.filter(id__in=job_ids, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY,
        run_after=timezone.now(),
        finished_at=None,
        worker_ids=[],
    )
    return [str(i) for i in job_ids]


@transaction.atomic
def jobs_forget(*, ids: list[uuid.UUID] | None = None) -> list[str]:
    """Delete failed jobs for good. None = every failed job."""
    jobs = DBTaskResult.objects.failed() if ids is None else _failed_by_ids(ids)
    job_ids = [job.id for job in jobs]
    DBTaskResult.objects.filter(id__in=job_ids, status=TaskResultStatus.FAILED).delete()
    return [str(i) for i in job_ids]


def jobs_prune(*, older_than: timedelta, include_failed: bool = False) -> int:
    """Delete finished jobs (successful; failed too if asked) that finished before the cutoff."""
    statuses = [TaskResultStatus.SUCCESSFUL]
    if include_failed:
        statuses.append(TaskResultStatus.FAILED)
    cutoff = timezone.now() - older_than
    deleted, _ = DBTaskResult.objects.filter(status__in=statuses, finished_at__lt=cutoff).delete()
    return deleted


def _policy(job: DBTaskResult[..., Any]) -> RetryPolicy:
    try:
        return policy_for(import_string(job.task_path).func)
    except (ImportError, AttributeError):
        return DEFAULT_POLICY


def jobs_recover_stale(*, now: datetime | None = None) -> list[str]:
    """Re-queue RUNNING jobs whose worker stopped sending heartbeats (killed, machine lost).

    A job is only taken back after the visibility timeout, and only if its worker is not
    alive; the conditional UPDATE makes concurrent recoverers harmless.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOBS_VISIBILITY_TIMEOUT_SECONDS)
    alive = set(live_workers(now=now).values_list("worker_id", flat=True))
    recovered = []
    for job in DBTaskResult.objects.running().filter(started_at__lt=cutoff):
        worker = job.worker_ids[-1] if job.worker_ids else "?"
        if worker in alive:
            continue  # a slow job on a live worker is not lost
        attempts = len(job.worker_ids or [])
        exhausted = attempts >= _policy(job).attempts()
        note = f"WorkerLost: worker {worker} stopped while running this job (attempt {attempts})"
        changes: dict[str, object] = {"exception_class_path": WORKER_LOST, "traceback": note}
        if exhausted:
            changes.update(status=TaskResultStatus.FAILED, finished_at=now)
        else:
            changes.update(status=TaskResultStatus.READY, run_after=now)
        updated = DBTaskResult.objects.filter(
            id=job.id, status=TaskResultStatus.RUNNING, started_at=job.started_at
        ).update(**changes)
        if updated:
            logger.warning("job %s %s: %s", job.id, "failed" if exhausted else "re-queued", note)
            recovered.append(str(job.id))
    return recovered
