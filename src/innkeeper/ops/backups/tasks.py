"""Scheduled backup jobs (registered in ops/apps.py): backups and restore drills at the times
BACKUP_SCHEDULE and BACKUP_DRILL_SCHEDULE name (schedule.py)."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.tasks import task

from innkeeper.core.errors import BackupFailed, InvalidInput, NotFound
from innkeeper.jobs.retry import retry_policy
from innkeeper.jobs.schedule import register_periodic
from innkeeper.ops.backups import crypto
from innkeeper.ops.backups.manifest import find_backup
from innkeeper.ops.backups.schedule import (
    DEFAULT_BACKUP,
    DEFAULT_DRILL,
    last_planned,
    parse_schedule,
)
from innkeeper.ops.backups.services import backup_run
from innkeeper.ops.backups.verify import backup_verify

logger = logging.getLogger("innkeeper.backups")


@task(queue_name="default")
@retry_policy(max_attempts=3)
def nightly_backup() -> dict[str, Any]:
    manifest = backup_run(kind="scheduled", actor="scheduler", source="system", offsite=False)
    if settings.BACKUP_S3_BUCKET:
        offsite_copy.enqueue()  # its own retries: a failed upload never re-takes the backup
    return {"backup": manifest.id, "size": manifest.size}


@task(queue_name="default")
@retry_policy(max_attempts=4)
def offsite_copy() -> dict[str, Any]:
    """Upload every backup not yet verified off-site; raise (so the worker retries with
    backoff, then lists it as failed) while any upload fails."""
    from innkeeper.ops.backups.offsite import offsite_sync

    results = offsite_sync()
    failed = [backup_id for backup_id, ok in results.items() if not ok]
    if failed:
        raise BackupFailed(f"off-site copy failed for {', '.join(failed)}")
    return {"uploaded": sorted(results)}


@task(queue_name="default")
@retry_policy(max_attempts=1)  # a failed drill is a finding to report, not a glitch to retry
def restore_drill() -> dict[str, Any]:
    """Verify the newest backup: its OFF-SITE copy when BACKUP_S3_BUCKET is set (what a lost
    machine would restore from), else the local one. A failure is logged, saved in its
    manifest, and turns `innkeeper backup status` and the health check red."""
    key_file = crypto.key_file_from(None)
    if settings.BACKUP_S3_BUCKET:
        from innkeeper.ops.backups.offsite import offsite_drill

        try:
            result = offsite_drill(key_file)
        except NotFound:
            logger.warning("restore drill: no off-site backup to verify yet")
            return {"backup": None, "ok": None}
        if result.get("skipped"):
            _no_key(str(result["backup"]))
        return result
    try:
        manifest = find_backup()
    except NotFound:
        logger.warning("restore drill: no backup to verify yet")
        return {"backup": None, "ok": None}
    if manifest.encryption and key_file is None:
        _no_key(manifest.id)
        return {"backup": manifest.id, "ok": None, "skipped": "no BACKUP_PRIVATE_KEY_FILE"}
    result = backup_verify(manifest=manifest, key_file=key_file)
    return {"backup": manifest.id, "ok": result["ok"], "problems": result["problems"]}


def _no_key(backup_id: str) -> None:
    # The web host holds public keys only: drills of encrypted backups run on a drill
    # host that has BACKUP_PRIVATE_KEY_FILE (RUNBOOK). Not a failure, but not a pass.
    logger.warning("restore drill: backup %s is encrypted and no private key is set", backup_id)


def register_backup_jobs() -> None:
    """Backups and restore drills at BACKUP_SCHEDULE / BACKUP_DRILL_SCHEDULE (OpsConfig.ready).
    An invalid schedule registers nothing and is reported by `backup status` (schedule_problem).
    pgBackRest's jobs too, where PITR is set up (pitr_tasks.py)."""
    from innkeeper.ops.backups.pitr_tasks import register_pitr_jobs

    register_pitr_jobs()
    if schedule_problem():
        logger.error("backups are not scheduled: %s", schedule_problem())
        return
    backups = parse_schedule(str(settings.BACKUP_SCHEDULE), default=DEFAULT_BACKUP)
    drills = parse_schedule(
        str(settings.BACKUP_DRILL_SCHEDULE), default=DEFAULT_DRILL, name="BACKUP_DRILL_SCHEDULE"
    )
    if not backups:  # "off": backups are taken elsewhere, and so are their drills
        drills = []
    # A backup only reads, so it runs in read-only mode too. The drill restores into a
    # scratch database the server must create: it waits, like the jobs that write.
    zone = settings.BACKUP_TIME_ZONE or "property time zone"
    for name, job, expressions, writes in (
        ("ops.backup", nightly_backup, backups, False),
        ("ops.restore_drill", restore_drill, drills, True),
    ):
        if expressions:
            register_periodic(
                name,
                job,
                every=timedelta(hours=1),  # unused: last_planned decides
                writes=writes,
                last_planned=partial(last_planned, expressions),
                plan=f"at '{'; '.join(expressions)}' ({zone})",
            )


def schedule_problem() -> str | None:
    """Why the backup schedule settings are unusable (None: they are fine)."""
    try:
        parse_schedule(str(settings.BACKUP_SCHEDULE), default=DEFAULT_BACKUP)
        parse_schedule(
            str(settings.BACKUP_DRILL_SCHEDULE), default=DEFAULT_DRILL, name="BACKUP_DRILL_SCHEDULE"
        )
    except InvalidInput as error:
        return error.detail
    from innkeeper.ops.backups.pitr import pitr_enabled
    from innkeeper.ops.backups.pitr_tasks import pitr_schedule_problem

    return pitr_schedule_problem() if pitr_enabled() else None
