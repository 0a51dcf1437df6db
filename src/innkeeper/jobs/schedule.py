"""The periodic-job registry and the scheduler's tick.

Apps add entries from their AppConfig.ready():

    register_periodic("payments.reconcile", reconcile_payments, every=timedelta(minutes=5))

The scheduler only *enqueues* a due job (workers run it, with retries); claiming the run is
a conditional UPDATE on the job's ScheduleEntry row, so a second scheduler started by
mistake finds nothing due and enqueues nothing.

Jobs registered with `writes=True` (the default) wait while writes are frozen (read-only or
maintenance mode, or the mode cannot be read): the scheduler leaves them due, so they run on
the first tick after writes are allowed again. A worker given such a job while writes are
frozen (enqueued just before the switch) skips it and hands it back to the schedule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.tasks import Task
from django.utils import timezone

from innkeeper.core.instruments import SCHEDULER_ENQUEUED
from innkeeper.jobs.models import ScheduleEntry
from innkeeper.ops.maintenance import writes_frozen

logger = logging.getLogger("innkeeper.scheduler")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task[Any, Any]
    every: timedelta
    kwargs: dict[str, Any] = field(default_factory=dict)
    writes: bool = True
    # For wall-clock schedules (cron): the latest planned run time <= now. The job is due
    # when it has not run since then; `every` is then only shown, not used.
    last_planned: Callable[[datetime], datetime] | None = None
    plan: str = ""  # how the schedule is shown when it is not "every <interval>"


PERIODIC_JOBS: dict[str, PeriodicJob] = {}


def register_periodic(
    name: str,
    task: Task[Any, Any],
    *,
    every: timedelta,
    kwargs: dict[str, Any] | None = None,
    writes: bool = True,
    last_planned: Callable[[datetime], datetime] | None = None,
    plan: str = "",
) -> None:
    """`writes=False` only for jobs that never write to the database (they run in read-only
    mode); anything else is paused while writes are frozen."""
    PERIODIC_JOBS[name] = PeriodicJob(
        name=name,
        task=task,
        every=every,
        kwargs=kwargs or {},
        writes=writes,
        last_planned=last_planned,
        plan=plan,
    )


def writing_job_for(task_path: str) -> PeriodicJob | None:
    """The registered writing periodic job whose task is `task_path` (module.function)."""
    for job in PERIODIC_JOBS.values():
        if job.writes and job.task.module_path == task_path:
            return job
    return None


def schedule_release(job: PeriodicJob) -> None:
    """Make `job` due again at once (its run was skipped)."""
    ScheduleEntry.objects.filter(name=job.name).update(last_run_at=None)


def _claim(job: PeriodicJob, *, now: datetime, owner: str) -> bool:
    """True if this caller won the job's current interval (at most one caller does)."""
    ScheduleEntry.objects.get_or_create(name=job.name)
    if job.last_planned is not None:
        due = Q(last_run_at__isnull=True) | Q(last_run_at__lt=job.last_planned(now))
    else:
        due = Q(last_run_at__isnull=True) | Q(last_run_at__lte=now - job.every)
    won = ScheduleEntry.objects.filter(due, name=job.name).update(
        last_run_at=now, last_run_by=owner[:200]
    )
    return won == 1


def scheduler_tick(*, owner: str, now: datetime | None = None) -> list[str]:
    """Enqueue every periodic job that is due; returns the names enqueued."""
    now = now or timezone.now()
    enqueued: list[str] = []
    frozen = writes_frozen()
    paused = []
    for job in list(PERIODIC_JOBS.values()):
        if frozen and job.writes:
            paused.append(job.name)  # not claimed: it stays due for the first writable tick
            continue
        try:
            # Claim and enqueue commit together: a failed enqueue gives the interval back.
            with transaction.atomic():
                if _claim(job, now=now, owner=owner):
                    job.task.enqueue(**job.kwargs)
                    enqueued.append(job.name)
                    SCHEDULER_ENQUEUED.labels(job.name).inc()
        except Exception:
            logger.exception("could not schedule %s; next tick tries again", job.name)
    if paused:
        logger.info("writes are frozen (read-only/maintenance): holding %s", ", ".join(paused))
    if enqueued:
        logger.info("scheduled %s", ", ".join(enqueued))
    return enqueued
