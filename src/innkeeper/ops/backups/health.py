"""The "backups" entry of the full health report: degraded when the latest backup is too old,
none exists, the last restore drill failed, an off-site copy failed or WAL archiving lags.
Never critical: `ready` does not depend on it."""

from __future__ import annotations

from innkeeper.ops.backups.selectors import backup_status, backup_times, wal_archive
from innkeeper.ops.health import DEGRADED, HEALTHY, CheckResult


def check_backups() -> CheckResult:
    status = backup_status()
    summary = status.as_dict()
    times = backup_times()
    drill = summary["last_verification"] or {}
    wal = wal_archive()
    details = {
        "latest": summary["latest"],
        "age_hours": summary["age_hours"],
        "max_age_hours": summary["max_age_hours"],
        "verified": summary["latest_verified"],
        "last_offsite": times["last_offsite"].isoformat() if times["last_offsite"] else None,
        "last_drill": {
            "backup": drill.get("backup"),
            "at": drill.get("verified_at"),
            "ok": drill.get("ok"),
            "duration_seconds": drill.get("duration_seconds"),
            "source": drill.get("source", "local"),
        }
        if drill
        else None,
        "wal_archive_lag_seconds": wal["lag_seconds"] if wal else None,
        "problems": status.problems,
    }
    return CheckResult(HEALTHY if status.ok else DEGRADED, details)
