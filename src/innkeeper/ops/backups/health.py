"""The "backups" entry of the full health report: degraded when the latest backup is too old,
none exists, or the last restore drill failed. Never critical: `ready` does not depend on it."""

from __future__ import annotations

from innkeeper.ops.backups.selectors import backup_status
from innkeeper.ops.health import DEGRADED, HEALTHY, CheckResult


def check_backups() -> CheckResult:
    status = backup_status()
    summary = status.as_dict()
    details = {
        "latest": summary["latest"],
        "age_hours": summary["age_hours"],
        "max_age_hours": summary["max_age_hours"],
        "verified": summary["latest_verified"],
        "problems": status.problems,
    }
    return CheckResult(HEALTHY if status.ok else DEGRADED, details)
