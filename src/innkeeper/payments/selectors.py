"""Reads about a booking's money: payments, ledger, balance, receipts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking
from innkeeper.core.errors import NotFound
from innkeeper.payments.ledger import balance_due, paid_amount
from innkeeper.payments.models import (
    EntryKind,
    LedgerEntry,
    Payment,
    PaymentStatus,
    Purpose,
    Receipt,
)
from innkeeper.payments.services import booking_for_payment


@dataclass(frozen=True)
class Statement:
    booking: Booking
    paid: Decimal
    balance_due: Decimal
    payments: list[Payment]
    ledger: list[LedgerEntry]
    receipts: list[Receipt]


def booking_statement(*, reference: str, user: User) -> Statement:
    booking = booking_for_payment(reference=reference, actor=user)
    paid = paid_amount(booking)
    return Statement(
        booking=booking,
        paid=paid,
        balance_due=balance_due(booking),  # the whole folio: extras included
        payments=list(booking.payments.all()),
        ledger=list(booking.ledger.all()),
        receipts=list(booking.receipts.defer("pdf", "html").order_by("sequence")),
    )


def receipt_get(*, number: str, user: User) -> Receipt:
    receipt = Receipt.objects.select_related("booking").filter(number=number.upper()).first()
    if receipt is None or (not user.is_staff and receipt.booking.guest_id != user.pk):
        raise NotFound(f"No receipt {number}.", code="receipt_not_found")
    return receipt


@dataclass(frozen=True)
class RefundsToHandle:
    """Refunds staff must act on: due at the desk (pay out and record), and refunds that
    failed after they were recorded (reversed in the ledger: re-issue or contact the guest)."""

    due_at_desk: list[Payment]
    reversed: list[Payment]


def refunds_to_handle(*, booking: Booking | None = None) -> RefundsToHandle:
    refunds = Payment.objects.filter(purpose=Purpose.REFUND).select_related("booking")
    if booking is not None:
        refunds = refunds.filter(booking=booking)
    # A reversed refund is handled once a later refund of the same charge is under way or done.
    handled = Payment.objects.filter(
        refund_of=OuterRef("refund_of"), created_at__gt=OuterRef("created_at")
    ).exclude(status=PaymentStatus.FAILED)
    reversed_ = refunds.filter(
        status=PaymentStatus.FAILED, entries__kind=EntryKind.REFUND_REVERSED
    ).filter(~Exists(handled))
    return RefundsToHandle(
        due_at_desk=list(refunds.filter(status=PaymentStatus.DUE_AT_DESK).order_by("created_at")),
        reversed=list(reversed_.order_by("created_at")),
    )
