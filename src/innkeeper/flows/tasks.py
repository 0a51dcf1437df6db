"""Jobs of the flows. Thin: they call the flow."""

from __future__ import annotations

from django.tasks import task

from innkeeper.flows.deposit_paid_then_confirm import reconcile_then_confirm
from innkeeper.flows.pay_online import expire_holds
from innkeeper.jobs.retry import retry_policy


@task(queue_name="default")
@retry_policy(max_attempts=3)
def reconcile_payments() -> dict[str, int]:
    """Periodic (every 5 minutes): settle payments left in a non-final state (and confirm the
    bookings whose deposit that completes)."""
    report = reconcile_then_confirm()
    return {
        "checked": report.checked,
        "settled": report.settled,
        "failed": report.failed,
        "still_open": report.still_open,
        "unreachable": report.unreachable,
        "differences": len(report.differences),
    }


@task(queue_name="default")
@retry_policy(max_attempts=3)
def expire_pending_holds() -> int:
    """Periodic (every minute, as `bookings.expire_pending`): end the holds that ran out,
    expiring their open Checkout Sessions at Stripe first."""
    return len(expire_holds())
