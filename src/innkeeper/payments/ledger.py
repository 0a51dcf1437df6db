"""The append-only ledger: entries are added, never changed; the paid amount is their sum."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, Sum

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking
from innkeeper.core.money import ZERO, quantize
from innkeeper.payments.models import EntryKind, LedgerEntry, Payment
from innkeeper.payments.receipts import receipt_issue

# The signed effect of each kind on what the guest has paid.
SIGN = {
    EntryKind.AUTHORIZED: 0,
    EntryKind.FAILED: 0,
    EntryKind.CAPTURED: 1,
    EntryKind.RECORDED_AT_DESK: 1,
    EntryKind.REFUNDED: -1,
    EntryKind.REFUND_REVERSED: 1,
}


def entry_record(
    *, payment: Payment, kind: EntryKind, actor: User | None = None, note: str = ""
) -> LedgerEntry | None:
    """Add the entry unless this payment already has one of this kind (webhook replays)."""
    if LedgerEntry.objects.filter(payment=payment, kind=kind).exists():
        return None
    entry = LedgerEntry.objects.create(
        booking=payment.booking,
        payment=payment,
        kind=kind,
        amount=payment.amount,
        settled=payment.amount * SIGN[kind],
        currency=payment.currency,
        provider=payment.provider,
        provider_ref=payment.provider_ref,
        note=note[:300],
        actor=actor,
    )
    if entry.settled:
        receipt_issue(entry=entry)
    return entry


def paid_amount(booking: Booking) -> Decimal:
    total = LedgerEntry.objects.filter(booking=booking).aggregate(s=Sum("settled"))["s"]
    return quantize(total or ZERO, booking.currency)


def balance_due(booking: Booking) -> Decimal:
    return quantize(booking.charges.total - paid_amount(booking), booking.currency)


def ledger_problems(*, using: str = "default") -> list[str]:
    """Cheap consistency checks of the ledger (also run on restored backups): every entry's
    signed effect matches its kind, and no booking has been refunded more than was paid."""
    entries = LedgerEntry.objects.using(using)
    problems = []
    for kind, sign in SIGN.items():
        wrong = entries.filter(kind=kind).exclude(settled=F("amount") * sign).count()
        if wrong:
            problems.append(f"{wrong} {kind} ledger entr(y/ies) with a wrong signed amount")
    overdrawn = (
        entries.values("booking_id").annotate(paid=Sum("settled")).filter(paid__lt=0).count()
    )
    if overdrawn:
        problems.append(f"{overdrawn} booking(s) refunded more than was paid")
    return problems
