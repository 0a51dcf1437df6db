"""pgBackRest backups and the repository's off-site sync, run by innkeeper's own scheduler
(registered in ops/apps.py beside the dump backups): no cron needed.

- `ops.pitr_backup` at BACKUP_PITR_FULL_SCHEDULE and BACKUP_PITR_INCR_SCHEDULE (cron or fixed
  times in the schedule's zone, schedule.py). One job for both, so a full and an incremental
  planned for the same minute never fight over pgBackRest's lock: the run is a full backup
  when a full one was planned since the newest full backup, else an incremental one.
- `ops.pitr_sync` at BACKUP_PITR_SYNC_SCHEDULE (default every minute) copies the repository,
  WAL archive included, off-site (only with BACKUP_S3_BUCKET).

Both run on the "pitr" queue: pgBackRest must run on the database host, so a worker there
takes them (`innkeeper worker --queue pitr`); other workers leave that queue alone. Several
schedulers are safe: the scheduler's claim on each planned time lets one of them enqueue."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from innkeeper.core.errors import BackupFailed, InvalidInput
from innkeeper.jobs.retry import retry_policy
from innkeeper.jobs.schedule import register_periodic
from innkeeper.ops.backups.schedule import last_planned, parse_schedule

logger = logging.getLogger("innkeeper.backups")
QUEUE = "pitr"
DEFAULT_FULL = "30 1 * * 0"  # weekly, Sunday 01:30
DEFAULT_INCR = "15 * * * *"  # hourly incrementals: the runbooks' "or hourly incrementals"
DEFAULT_SYNC = "* * * * *"  # the WAL archive follows within a minute


def _schedules() -> tuple[list[str], list[str], list[str]]:
    full = parse_schedule(
        str(settings.BACKUP_PITR_FULL_SCHEDULE),
        default=DEFAULT_FULL,
        name="BACKUP_PITR_FULL_SCHEDULE",
    )
    incr = parse_schedule(
        str(settings.BACKUP_PITR_INCR_SCHEDULE),
        default=DEFAULT_INCR,
        name="BACKUP_PITR_INCR_SCHEDULE",
    )
    sync = parse_schedule(
        str(settings.BACKUP_PITR_SYNC_SCHEDULE),
        default=DEFAULT_SYNC,
        name="BACKUP_PITR_SYNC_SCHEDULE",
    )
    return full, incr, sync


def pitr_schedule_problem() -> str | None:
    try:
        _schedules()
    except InvalidInput as error:
        return error.detail
    return None


def backup_type(full: list[str], now: datetime, newest_full: datetime | None) -> str:
    """ "full" when a full backup was planned since the newest one started (or there is none),
    else "incr". A missed full backup is thus taken by the next run, whatever its schedule."""
    if not full or (newest_full is not None and last_planned(full, now) <= newest_full):
        return "incr"
    return "full"


@task(queue_name=QUEUE)
@retry_policy(max_attempts=3)
def pitr_scheduled_backup() -> dict[str, Any]:
    from innkeeper.ops.backups import pitr

    full, _, _ = _schedules()
    kind = backup_type(full, timezone.now(), pitr.newest_full_backup())
    info = pitr.pitr_backup(kind)
    logger.info("scheduled pgBackRest %s backup done: %s backup(s)", kind, info["backups"])
    return {"type": kind, **info}


@task(queue_name=QUEUE)
@retry_policy(max_attempts=1)  # the next minute's run is the retry
def pitr_sync() -> dict[str, int]:
    from innkeeper.ops.backups.offsite import S3Errors
    from innkeeper.ops.backups.pitr_offsite import pitr_repo_sync

    try:
        return pitr_repo_sync()
    except S3Errors as error:
        logger.error("ALERT: copying the pgBackRest repository off-site failed: %s", error)
        raise BackupFailed(f"pgBackRest repository sync failed: {error}") from error


def register_pitr_jobs() -> None:
    """Only where PITR is configured (BACKUP_PITR_PGDATA); the sync only with a bucket.
    An invalid schedule registers nothing and turns `backup status` red."""
    from innkeeper.ops.backups.pitr import pitr_enabled

    if not pitr_enabled():
        return
    problem = pitr_schedule_problem()
    if problem:
        logger.error("pgBackRest backups are not scheduled: %s", problem)
        return
    full, incr, sync = _schedules()
    zone = settings.BACKUP_TIME_ZONE or "property time zone"
    jobs = [("ops.pitr_backup", pitr_scheduled_backup, full + incr)]
    if settings.BACKUP_S3_BUCKET:
        jobs.append(("ops.pitr_sync", pitr_sync, sync))
    for name, job, expressions in jobs:
        if expressions:
            register_periodic(
                name,
                job,
                every=timedelta(minutes=1),  # unused: last_planned decides
                writes=False,  # pgBackRest reads the cluster; runs in read-only mode too
                last_planned=partial(last_planned, expressions),
                plan=f"at '{'; '.join(expressions)}' ({zone})",
            )
