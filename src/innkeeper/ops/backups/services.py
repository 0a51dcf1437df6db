"""Backup writes: run (with pruning), restore (guarded), prune."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections
from django.utils import timezone

from innkeeper.core.audit import audit_log
from innkeeper.core.errors import BackupFailed, InvalidInput
from innkeeper.ops.backups import engines
from innkeeper.ops.backups.manifest import (
    Manifest,
    all_manifests,
    backup_dir,
    data_path,
    manifest_path,
    new_backup_id,
    sha256_of,
    write_manifest,
)
from innkeeper.ops.backups.verify import checksum_problem, integrity_check

logger = logging.getLogger("innkeeper.backups")

RESTORE_MESSAGE = "Restoring the database from a backup; back in a few minutes."


def _audit(
    action: str, *, actor: str, source: str, target: str, details: dict[str, object]
) -> None:
    """Audit rows are writes: skipped (and logged) while writes are frozen, e.g. a backup taken
    in read-only mode on a database that may really be read-only (a replica)."""
    from innkeeper.ops.maintenance import writes_frozen

    if writes_frozen():
        logger.info("writes frozen: %s %s recorded in the log and manifest only", action, target)
        return
    audit_log(action, actor_label=actor, target=target, source=source, details=details)


def backup_run(
    *, kind: str = "manual", actor: str = "system", source: str = "system", prune: bool = True
) -> Manifest:
    """Dump the database into BACKUP_DIR with its manifest; then prune old backups."""
    folder = backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    backup_id = new_backup_id(now)
    target = folder / f"{backup_id}{engines.file_suffix()}"
    partial = target.with_name(target.name + ".partial")
    try:
        dump = engines.dump(partial)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    manifest = Manifest(
        id=backup_id,
        engine=engines.engine(),
        database=engines.database_name(),
        file=target.name,
        created_at=now.isoformat(),
        size=target.stat().st_size,
        sha256=sha256_of(target),
        kind=kind,
        migrations=dump.migrations,
        row_counts=dump.row_counts,
        tool=dump.tool,
    )
    write_manifest(manifest)
    details = {"file": target.name, "size": manifest.size, "kind": kind}
    _audit("backup.created", actor=actor, source=source, target=backup_id, details=details)
    logger.info("backup %s written: %s (%d bytes)", backup_id, target, manifest.size)
    if prune:
        backups_prune(keep=settings.BACKUP_KEEP)
    return manifest


def backups_prune(*, keep: int) -> list[str]:
    """Delete all but the newest `keep` backups; the newest verified one is always kept."""
    manifests = all_manifests()
    verified = [m for m in manifests if m.verified]
    protected = {m.id for m in manifests[-keep:]} if keep > 0 else set()
    if verified:
        protected.add(verified[-1].id)
    removed = []
    for manifest in manifests:
        if manifest.id in protected:
            continue
        data_path(manifest).unlink(missing_ok=True)
        manifest_path(manifest.id).unlink(missing_ok=True)
        removed.append(manifest.id)
    if removed:
        logger.info("pruned %d old backup(s): %s", len(removed), ", ".join(removed))
    return removed


@dataclass
class RestoreReport:
    backup: Manifest
    safety_backup: str
    problems: list[str] = field(default_factory=list)
    mode_after: str = "normal"


def _check_restorable(manifest: Manifest) -> None:
    current = engines.engine()
    if manifest.engine != current:
        raise InvalidInput(
            f"Backup {manifest.id} is a {manifest.engine} backup; this database is {current}."
        )
    problem = checksum_problem(manifest)
    if problem:
        raise BackupFailed(f"Not restoring backup {manifest.id}: {problem}.")


def backup_restore(*, manifest: Manifest, actor: str, source: str = "cli") -> RestoreReport:
    """Replace the live database with a backup, in maintenance mode, after a safety backup.

    The site mode (maintenance/read-only) in force before is put back afterwards: the
    restored ops table holds whatever mode was on when the backup was taken."""
    from innkeeper.ops.maintenance import (
        maintenance_enable,
        mode_of,
        site_mode_put_back,
        site_mode_row,
    )

    _check_restorable(manifest)
    before = site_mode_row()
    maintenance_enable(actor=actor, source=source, message=RESTORE_MESSAGE, retry_after=120)
    try:
        safety = backup_run(kind="pre-restore", actor=actor, source=source, prune=False)
        logger.warning("restoring backup %s (safety backup %s)", manifest.id, safety.id)
        engines.restore_live(data_path(manifest))
    finally:
        connections.close_all()
        site_mode_put_back(previous=before, actor=actor, source=source)
    report = integrity_check("default")
    result = RestoreReport(manifest, safety.id, report.problems, mode_of(site_mode_row()))
    audit_log(
        "backup.restored",
        actor_label=actor,
        target=manifest.id,
        source=source,
        details={
            "created_at": manifest.created_at,
            "safety_backup": safety.id,
            "integrity": report.as_dict(),
        },
    )
    return result
