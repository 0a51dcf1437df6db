"""Guest-data jobs. Thin: they call the retention service."""

from __future__ import annotations

from django.tasks import task

from innkeeper.jobs.retry import retry_policy
from innkeeper.privacy.services import guests_retention_sweep


@task(queue_name="default")
@retry_policy(max_attempts=3)
def anonymise_stale_guests() -> dict[str, int]:
    """Periodic (daily): anonymise guests past GUEST_RETENTION_DAYS since their last stay."""
    report = guests_retention_sweep()
    return {"erased": report.erased, "skipped": report.skipped}
