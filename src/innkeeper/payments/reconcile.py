"""Reconciliation: open payments are checked against their provider and settled.

`payments_reconcile` is behind the scheduled job (every 5 minutes) and `innkeeper payments
reconcile`, both through flows/deposit_paid_then_confirm.py (a settled deposit confirms).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from innkeeper.core.audit import audit_log
from innkeeper.core.errors import ServiceUnavailable
from innkeeper.payments.models import OPEN_STATUSES, Payment, PaymentStatus
from innkeeper.payments.providers import ProviderUnavailable
from innkeeper.payments.settle import OnSucceeded, payment_refresh

logger = logging.getLogger(__name__)


@dataclass
class ReconcileReport:
    checked: int = 0
    settled: int = 0
    failed: int = 0
    still_open: int = 0
    unreachable: int = 0
    differences: list[str] = field(default_factory=list)


def payments_reconcile(
    *,
    now: datetime | None = None,
    all_open: bool = False,
    on_succeeded: OnSucceeded | None = None,
    booking: str = "",
) -> ReconcileReport:
    """Check open payments older than PAYMENT_RECONCILE_AFTER_MINUTES (all with all_open);
    `booking`: every open payment of that booking reference (a guest says they paid)."""
    cutoff = (now or timezone.now()) - timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES)
    due = Payment.objects.filter(status__in=OPEN_STATUSES)
    if booking:
        due = due.filter(booking__reference=booking.strip().upper())
    elif not all_open:
        # Unreachable ones are retried at once; others get time for their webhook first.
        due = due.filter(Q(updated_at__lte=cutoff) | Q(status=PaymentStatus.PROVIDER_UNAVAILABLE))
    report = ReconcileReport()
    for payment_id in list(due.order_by("id").values_list("id", flat=True)):
        report.checked += 1
        try:
            payment, before = payment_refresh(payment_id=payment_id, on_succeeded=on_succeeded)
        except (ProviderUnavailable, ServiceUnavailable) as error:
            report.unreachable += 1
            logger.warning("reconcile: payment %s still unreachable: %s", payment_id, error)
            continue
        _count(report, payment, before)
    if report.differences:
        audit_log("payment.reconciled", source="system", details=report.__dict__)
    logger.info("reconcile: %s", report)
    return report


def _count(report: ReconcileReport, payment: Payment, before: str) -> None:
    if payment.status == PaymentStatus.SUCCEEDED:
        report.settled += 1
    elif payment.status == PaymentStatus.FAILED:
        report.failed += 1
    else:
        report.still_open += 1
    if payment.status != before:
        report.differences.append(f"{payment.uid}: {before} -> {payment.status}")
