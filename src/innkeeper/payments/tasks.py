"""Payment jobs. Thin: they call the reconciliation service."""

from __future__ import annotations

from django.tasks import task

from innkeeper.jobs.retry import retry_policy
from innkeeper.payments.reconcile import payments_reconcile


@task(queue_name="default")
@retry_policy(max_attempts=3)
def reconcile_payments() -> dict[str, int]:
    """Periodic (every 5 minutes): settle payments left in a non-final state."""
    report = payments_reconcile()
    return {
        "checked": report.checked,
        "settled": report.settled,
        "failed": report.failed,
        "still_open": report.still_open,
        "unreachable": report.unreachable,
        "differences": len(report.differences),
    }
