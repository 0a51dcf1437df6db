"""The append-only ledger: entries are added, never changed; the paid amount is their sum."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, Sum

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking, BookingStatus
from innkeeper.core.money import ZERO, quantize
from innkeeper.payments.models import EntryKind, FolioCharge, LedgerEntry, Payment
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


def extras_total(booking: Booking) -> Decimal:
    """The extras posted on the stay (payments/folio.py), voided ones left out."""
    total = FolioCharge.objects.filter(booking=booking, voided_at__isnull=True).aggregate(
        s=Sum("amount")
    )["s"]
    return quantize(total or ZERO, booking.currency)


def amount_charged(booking: Booking) -> Decimal:
    """Everything the stay costs: the price fixed on the booking plus the extras."""
    charges = getattr(booking, "charges", None)
    stay = charges.total if charges is not None else ZERO
    return quantize(stay + extras_total(booking), booking.currency)


def balance_due(booking: Booking) -> Decimal:
    """What the guest still owes on the folio (negative: what the property owes back)."""
    return quantize(amount_charged(booking) - paid_amount(booking), booking.currency)


def is_payable(booking: Booking) -> bool:
    """Active bookings take payments; so does a checked-out stay while a balance is due."""
    if booking.is_active:
        return True
    return booking.status == BookingStatus.CHECKED_OUT and balance_due(booking) > 0


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
