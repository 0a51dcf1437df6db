"""Backup reads: the list and the status operators and the health check rely on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from innkeeper.ops.backups.manifest import Manifest, Refused, all_manifests, scan_manifests


@dataclass
class BackupStatus:
    latest: Manifest | None
    age_hours: float | None
    last_verified: Manifest | None  # the backup whose drill ran most recently
    problems: list[str] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        latest = self.latest
        drill = self.last_verified
        return {
            "ok": self.ok,
            "problems": self.problems,
            "latest": latest.id if latest else None,
            "latest_created_at": latest.created_at if latest else None,
            "age_hours": None if self.age_hours is None else round(self.age_hours, 2),
            "max_age_hours": settings.BACKUP_MAX_AGE_HOURS,
            "latest_verified": latest.verified if latest else None,
            "refused": [{"manifest": r.name, "reason": r.reason} for r in self.refused],
            "last_verification": {
                "backup": drill.id,
                **{k: v for k, v in (drill.verification or {}).items() if k != "checks"},
            }
            if drill
            else None,
        }


def backup_status() -> BackupStatus:
    from innkeeper.ops.backups.tasks import schedule_problem

    manifests, refused = scan_manifests()
    refusals = [f"manifest {r.name} refused: {r.reason}" for r in refused]
    schedule = schedule_problem()
    if schedule:
        refusals.insert(0, f"backups are not scheduled: {schedule}")
    if not manifests:
        problems = ["no backup has been taken yet", *refusals, *_wal_problems()]
        return BackupStatus(None, None, None, problems, refused)
    latest = manifests[-1]
    age = (timezone.now() - latest.created).total_seconds() / 3600
    drills = [m for m in manifests if m.verification]
    last_verified = max(
        drills, key=lambda m: str((m.verification or {}).get("verified_at")), default=None
    )
    status = BackupStatus(latest, age, last_verified, refusals, refused)
    status.problems += _wal_problems()
    status.problems += _offsite_problems(manifests)
    if age > settings.BACKUP_MAX_AGE_HOURS:
        status.problems.append(
            f"the latest backup is {age:.1f} h old (limit {settings.BACKUP_MAX_AGE_HOURS:g} h)"
        )
    if last_verified is not None and not last_verified.verified:
        failed = (last_verified.verification or {}).get("problems") or ["unknown"]
        status.problems.append(f"the last restore drill ({last_verified.id}) failed: {failed[0]}")
    status.problems += _drill_age_problems(manifests, last_verified)
    return status


def wal_archive() -> dict[str, Any] | None:
    """PostgreSQL's WAL archiving (PITR) as `backup status` shows it; None without PITR."""
    from innkeeper.ops.backups.pitr import wal_archive_status

    return wal_archive_status()


def _wal_problems() -> list[str]:
    from django.db import DatabaseError

    from innkeeper.ops.backups.pitr import wal_archive_problems

    try:
        return wal_archive_problems(wal_archive())
    except DatabaseError as error:  # status must answer even when the database does not
        return [f"WAL archiving could not be read: {type(error).__name__}"]


def _drill_age_problems(manifests: list[Manifest], drill: Manifest | None) -> list[str]:
    """A drill is overdue once BACKUP_DRILL_MAX_AGE_HOURS passed since the last one (or since
    the oldest backup, when none ran). Not judged where the drill cannot run: encrypted
    backups on a host without a private key (the drill host reports those)."""
    limit = settings.BACKUP_DRILL_MAX_AGE_HOURS
    if limit <= 0 or (manifests[-1].encryption and not settings.BACKUP_PRIVATE_KEY_FILE):
        return []
    since = (
        datetime.fromisoformat(str((drill.verification or {})["verified_at"]))
        if drill
        else manifests[0].created
    )
    hours = (timezone.now() - since).total_seconds() / 3600
    if hours <= limit:
        return []
    if drill:
        return [f"the last restore drill ran {hours:.1f} h ago (limit {limit:g} h)"]
    return [f"no restore drill ran in {hours:.1f} h (limit {limit:g} h)"]


def _offsite_problems(manifests: list[Manifest]) -> list[str]:
    if not settings.BACKUP_S3_BUCKET:
        return []
    problems = [
        f"off-site copy of {m.id} failed: {(m.offsite or {}).get('error')}"
        for m in manifests
        if m.offsite and not m.offsite.get("verified")
    ]
    copied = [m for m in manifests if (m.offsite or {}).get("verified")]
    if not copied:
        problems.append("no backup has been copied off-site yet")
    else:
        age = (timezone.now() - copied[-1].created).total_seconds() / 3600
        if age > settings.BACKUP_MAX_AGE_HOURS:
            problems.append(f"the newest off-site backup is {age:.1f} h old")
    return problems


def backup_times() -> dict[str, Any]:
    """When the last local backup, off-site copy and restore drill happened (None: never),
    and how long that drill took: for metrics and dashboards."""
    manifests = all_manifests()
    copied = [m for m in manifests if (m.offsite or {}).get("verified")]
    drills = [m for m in manifests if m.verification]
    drill = max(drills, key=lambda m: str((m.verification or {}).get("verified_at")), default=None)
    verification = (drill.verification or {}) if drill else {}
    return {
        "last_local": manifests[-1].created if manifests else None,
        "last_offsite": copied[-1].created if copied else None,
        "last_drill": datetime.fromisoformat(verification["verified_at"]) if drill else None,
        "last_drill_ok": verification.get("ok") if drill else None,
        "last_drill_backup": drill.id if drill else None,
        "last_drill_seconds": verification.get("duration_seconds") if drill else None,
    }
