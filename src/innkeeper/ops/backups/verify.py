"""The restore drill: checksum, restore into a scratch database, compare row counts with the
manifest, run the integrity checks, and record the result in the manifest."""

from __future__ import annotations

import logging
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.db import DatabaseError, connections
from django.utils import timezone

from innkeeper.core.errors import BackupFailed
from innkeeper.ops.backups import crypto, engines, facts
from innkeeper.ops.backups.manifest import (
    Manifest,
    data_path,
    files_path,
    sha256_of,
    write_manifest,
)

logger = logging.getLogger("innkeeper.backups")


@dataclass
class IntegrityReport:
    overlaps: int
    guard_installed: bool
    ledger: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        found = [*self.ledger]
        if self.overlaps:
            found.insert(0, f"{self.overlaps} overlapping active booking pair(s)")
        if not self.guard_installed:
            found.append("the database overlap guard (constraint/triggers) is missing")
        return found

    def as_dict(self) -> dict[str, Any]:
        return {
            "overlapping_pairs": self.overlaps,
            "overlap_guard_installed": self.guard_installed,
            "ledger_problems": self.ledger,
        }


def integrity_check(alias: str = "default") -> IntegrityReport:
    """What `innkeeper bookings verify` checks, plus the payment ledger, on any alias."""
    from innkeeper.bookings.integrity import guard_installed
    from innkeeper.bookings.selectors import overlap_report
    from innkeeper.payments.ledger import ledger_problems

    return IntegrityReport(
        overlaps=len(overlap_report(using=alias)),
        guard_installed=guard_installed(connections[alias]),
        ledger=ledger_problems(using=alias),
    )


def _file_problem(path: Path, expected: str) -> str | None:
    if not path.is_file():
        return f"backup file {path} is missing"
    actual = sha256_of(path)
    if actual != expected:
        return (
            f"checksum mismatch for {path.name}: manifest {expected[:16]}..., "
            f"file {actual[:16]}... (the file was changed or damaged)"
        )
    return None


def checksum_problem(manifest: Manifest, folder: Path | None = None) -> str | None:
    """The database dump's and the media/settings archive's checksums against the manifest."""
    problem = _file_problem(data_path(manifest, folder), manifest.sha256)
    archive = files_path(manifest, folder)
    if problem is None and archive is not None and manifest.files is not None:
        problem = _file_problem(archive, str(manifest.files.get("sha256", "")))
    return problem


def _drill(
    manifest: Manifest, checks: dict[str, Any], key_file: Path | None, folder: Path | None
) -> list[str]:
    with (
        crypto.plaintext(manifest, key_file, folder) as plain,
        engines.scratch(plain, manifest.engine) as alias,
    ):
        if manifest.encryption:
            checks["decrypt"] = "ok"
        checks["restore"] = "ok"
        with connections[alias].cursor() as cursor:
            counts = facts.row_counts(cursor, manifest.engine)
        differences = facts.count_differences(manifest.row_counts, counts)
        checks["row_counts"] = "ok" if not differences else "mismatch"
        checks["tables"] = len(counts)
        report = integrity_check(alias)
        checks["integrity"] = report.as_dict()
        files = _files_problems(manifest, checks, key_file, folder)
        return [*differences, *report.problems, *files]


def _files_problems(
    manifest: Manifest, checks: dict[str, Any], key_file: Path | None, folder: Path | None
) -> list[str]:
    """The media/settings archive decrypts, opens, and holds as many media files as recorded."""
    with crypto.plaintext_files(manifest, key_file, folder) as archive:
        if archive is None or manifest.files is None:
            return []
        try:
            with tarfile.open(archive, "r:gz") as opened:
                names = opened.getnames()
        except (tarfile.TarError, OSError) as error:
            checks["files"] = "failed"
            return [f"the media/settings archive does not open: {error}"]
    media = sum(1 for name in names if name.startswith("media/"))
    checks["files"] = media
    if media != manifest.files.get("media_files") or "settings.json" not in names:
        return [f"the media/settings archive holds {media} media files, not as recorded"]
    return []


def backup_verify(
    *,
    manifest: Manifest,
    key_file: Path | None = None,
    folder: Path | None = None,
    source: str = "local",
) -> dict[str, Any]:
    """Run the drill on one backup; the result is saved in its manifest and returned.
    `folder`/`source`: the files are a copy downloaded there (the off-site drill, drill.py)."""
    started = time.monotonic()
    checks: dict[str, Any] = {}
    problem = checksum_problem(manifest, folder)
    checks["checksum"] = "ok" if problem is None else "mismatch"
    problems = [problem] if problem else []
    if not problems:
        try:
            problems = _drill(manifest, checks, key_file, folder)
        except BackupFailed as error:
            checks.setdefault("restore", "failed")
            problems = [error.detail]
        except (DatabaseError, psycopg.Error, OSError) as error:
            checks.setdefault("restore", "failed")
            problems = [f"restore drill failed: {type(error).__name__}: {error}"]
    result = {
        "ok": not problems,
        "verified_at": timezone.now().isoformat(),
        "source": source,
        "checks": checks,
        "problems": problems,
        "duration_seconds": round(time.monotonic() - started, 2),
    }
    manifest.verification = result
    write_manifest(manifest)
    if result["ok"]:
        logger.info("backup %s verification passed", manifest.id)
    else:
        logger.error("backup %s verification FAILED: %s", manifest.id, "; ".join(problems))
    return result
