"""Backup writes: run (with pruning), restore (guarded), prune."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from innkeeper.core.audit import audit_log
from innkeeper.core.errors import BackupFailed, InvalidInput
from innkeeper.ops.backups import crypto, engines, retention
from innkeeper.ops.backups.files import FilesRestore, restore_files_archive, write_files_archive
from innkeeper.ops.backups.manifest import (
    FILE_MODE,
    FILES_SUFFIX,
    Manifest,
    all_manifests,
    data_path,
    ensure_backup_dir,
    files_path,
    manifest_path,
    new_backup_id,
    sha256_of,
    write_manifest,
)
from innkeeper.ops.backups.schedule import schedule_zone
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


def _private_file(path: Path) -> None:
    """Created 0600 before a dump writes into it: never readable by others, not even for the
    seconds a dump takes (pg_dump and gzip keep an existing file's mode)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE))
    path.chmod(FILE_MODE)


def _seal(partial: Path, target: Path, keys: list[str]) -> tuple[Path, str]:
    """Encrypt `partial` into `target`.age (or rename it to `target`); returns the final
    path and the plain file's SHA-256 ("" when not encrypted)."""
    if not keys:
        partial.rename(target)
        return target, ""
    plain_sha256 = sha256_of(partial)
    target = target.with_name(target.name + crypto.ENCRYPTED_SUFFIX)
    crypto.encrypt(partial, target, keys)
    return target, plain_sha256


def _write_files(folder: Path, backup_id: str, keys: list[str]) -> dict[str, object]:
    """The media + settings archive beside the database dump (files.py)."""
    partial = folder / f"{backup_id}{FILES_SUFFIX}.partial"
    try:
        _private_file(partial)
        counts = write_files_archive(partial)
        target, plain_sha256 = _seal(partial, folder / f"{backup_id}{FILES_SUFFIX}", keys)
    finally:
        partial.unlink(missing_ok=True)
    return {
        "file": target.name,
        "size": target.stat().st_size,
        "sha256": sha256_of(target),
        "plain_sha256": plain_sha256,
        **counts,
    }


def _write_dump(folder: Path, backup_id: str, keys: list[str]) -> tuple[Path, engines.Dump, str]:
    target = folder / f"{backup_id}{engines.file_suffix()}"
    partial = target.with_name(target.name + ".partial")
    try:
        _private_file(partial)
        dump = engines.dump(partial)
        target, plain_sha256 = _seal(partial, target, keys)
    finally:
        partial.unlink(missing_ok=True)
    return target, dump, plain_sha256


def backup_run(
    *,
    kind: str = "manual",
    actor: str = "system",
    source: str = "system",
    prune: bool = True,
    offsite: bool = True,
) -> Manifest:
    """Dump the database into BACKUP_DIR, with the media + settings archive and the manifest
    of both; copy them off-site (when configured and `offsite`); then prune old backups."""
    folder = ensure_backup_dir()
    now = timezone.now()
    backup_id = new_backup_id(now)
    keys = crypto.recipients()
    target, dump, plain_sha256 = _write_dump(folder, backup_id, keys)
    files = _write_files(folder, backup_id, keys)
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
        encryption={"format": crypto.FORMAT, "recipients": keys} if keys else None,
        plain_sha256=plain_sha256,
        files=files,
    )
    write_manifest(manifest)
    details = {"file": target.name, "size": manifest.size, "kind": kind, "files": files["file"]}
    _audit("backup.created", actor=actor, source=source, target=backup_id, details=details)
    logger.info("backup %s written: %s (%d bytes)", backup_id, target, manifest.size)
    if offsite and kind != "pre-restore" and settings.BACKUP_S3_BUCKET:
        from innkeeper.ops.backups.offsite import offsite_sync, offsite_upload

        # This one, then any earlier upload that failed; a failure is alerted, not raised
        # (the local backup is good and is kept until a copy is verified off-site).
        if offsite_upload(manifest):
            offsite_sync()
    if prune:
        backups_prune()
    return manifest


def backups_prune(*, keep: int | None = None, dry_run: bool = False) -> dict[str, str]:
    """Delete the backups no retention tier keeps (retention.py); returns {id: "removed"} or,
    for a dry run, {id: why it is kept or "would be removed"} for every backup."""
    manifests = all_manifests()
    reasons = retention.kept(
        manifests,
        now=timezone.now(),
        zone=schedule_zone(),
        policy=retention.Policy.from_settings(keep=keep),
        offsite=bool(settings.BACKUP_S3_BUCKET),
    )
    if dry_run:
        return {m.id: reasons.get(m.id, "would be removed") for m in manifests}
    removed = {}
    for manifest in manifests:
        if manifest.id in reasons:
            continue
        data_path(manifest).unlink(missing_ok=True)
        archive = files_path(manifest)
        if archive is not None:
            archive.unlink(missing_ok=True)
        manifest_path(manifest.id).unlink(missing_ok=True)
        removed[manifest.id] = "removed"
    if removed:
        logger.info("pruned %d old backup(s): %s", len(removed), ", ".join(removed))
    return removed


@dataclass
class RestoreReport:
    backup: Manifest
    safety_backup: str | None  # None: the database was empty, there was nothing to keep
    problems: list[str] = field(default_factory=list)
    mode_after: str = "normal"
    migrated: bool = False  # migrations newer than the backup were applied after it
    files: FilesRestore | None = None  # media + settings put back (None: backup had none)


def _check_restorable(manifest: Manifest) -> None:
    current = engines.engine()
    if manifest.engine != current:
        raise InvalidInput(
            f"Backup {manifest.id} is a {manifest.engine} backup; this database is {current}."
        )
    problem = checksum_problem(manifest)
    if problem:
        raise BackupFailed(f"Not restoring backup {manifest.id}: {problem}.")


def _live_tables() -> set[str]:
    with connections["default"].cursor() as cursor:
        return set(connections["default"].introspection.table_names(cursor))


def _migrate() -> bool:
    """Apply pending migrations (a backup older than the code, or a half-set-up database)."""
    executor = MigrationExecutor(connections["default"])
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    call_command("migrate", interactive=False, verbosity=0)
    return True


def _restore_over_live(
    manifest: Manifest, plain: Path, *, actor: str, source: str
) -> tuple[str, bool]:
    """Replace a live database: maintenance mode and a safety backup first, the site mode
    in force before put back afterwards (the restored table holds the backup's own)."""
    from innkeeper.ops.maintenance import maintenance_enable, site_mode_put_back, site_mode_row

    before = site_mode_row()
    maintenance_enable(actor=actor, source=source, message=RESTORE_MESSAGE, retry_after=120)
    try:
        safety = backup_run(kind="pre-restore", actor=actor, source=source, prune=False)
        logger.warning("restoring backup %s (safety backup %s)", manifest.id, safety.id)
        engines.restore_live(plain)
    finally:
        connections.close_all()
        migrated = _migrate()
        site_mode_put_back(previous=before, actor=actor, source=source)
    return safety.id, migrated


def backup_restore(
    *, manifest: Manifest, actor: str, source: str = "cli", key_file: Path | None = None
) -> RestoreReport:
    """Replace the live database with a backup, or fill an empty one (a new machine: no
    safety backup, nothing served yet); migrations newer than the backup are applied."""
    from innkeeper.ops.maintenance import mode_of, site_mode_row

    _check_restorable(manifest)
    tables = _live_tables()
    safety: str | None = None
    # Decrypted (and its checksum checked) before anything on the live side changes.
    with (
        crypto.plaintext(manifest, key_file) as plain,
        crypto.plaintext_files(manifest, key_file) as archive,
    ):
        if not tables:
            logger.warning("restoring backup %s into an empty database", manifest.id)
            engines.restore_live(plain)
            connections.close_all()
            migrated = _migrate()
        else:
            if "ops_sitemode" not in tables:  # half set up: migrate so maintenance mode works
                _migrate()
            safety, migrated = _restore_over_live(manifest, plain, actor=actor, source=source)
        # The media the restored rows point to (the safety backup above kept the old ones).
        files = restore_files_archive(archive) if archive is not None else None
    report = integrity_check("default")
    result = RestoreReport(
        manifest, safety, report.problems, mode_of(site_mode_row()), migrated, files
    )
    audit_log(
        "backup.restored",
        actor_label=actor,
        target=manifest.id,
        source=source,
        details={
            "created_at": manifest.created_at,
            "safety_backup": safety,
            "into_empty_database": not tables,
            "media_files": files.media_files if files else None,
            "integrity": report.as_dict(),
        },
    )
    return result
