"""The periodic-job registry and the scheduler's tick.

Apps add entries from their AppConfig.ready():

    register_periodic("payments.reconcile", reconcile_payments, every=timedelta(minutes=5))

The scheduler only *enqueues* a due job (workers run it, with retries); claiming the run is
a conditional UPDATE on the job's ScheduleEntry row, so a second scheduler started by
mistake finds nothing due and enqueues nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.tasks import Task
from django.utils import timezone

from innkeeper.jobs.models import ScheduleEntry

logger = logging.getLogger("innkeeper.scheduler")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task[Any, Any]
    every: timedelta
    kwargs: dict[str, Any] = field(default_factory=dict)


PERIODIC_JOBS: dict[str, PeriodicJob] = {}


def register_periodic(
    name: str, task: Task[Any, Any], *, every: timedelta, kwargs: dict[str, Any] | None = None
) -> None:
    PERIODIC_JOBS[name] = PeriodicJob(name=name, task=task, every=every, kwargs=kwargs or {})


def _claim(job: PeriodicJob, *, now: datetime, owner: str) -> bool:
    """True if this caller won the job's current interval (at most one caller does)."""
    ScheduleEntry.objects.get_or_create(name=job.name)
    due = Q(last_run_at__isnull=True) | Q(last_run_at__lte=now - job.every)
    won = ScheduleEntry.objects.filter(due, name=job.name).update(
        last_run_at=now, last_run_by=owner[:200]
    )
    return won == 1


def scheduler_tick(*, owner: str, now: datetime | None = None) -> list[str]:
    """Enqueue every periodic job that is due; returns the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in list(PERIODIC_JOBS.values()):
        try:
            # Claim and enqueue commit together: a failed enqueue gives the interval back.
            with transaction.atomic():
                if _claim(job, now=now, owner=owner):
                    job.task.enqueue(**job.kwargs)
                    enqueued.append(job.name)
        except Exception:
            logger.exception("could not schedule %s; next tick tries again", job.name)
    if enqueued:
        logger.info("scheduled %s", ", ".join(enqueued))
    return enqueued
