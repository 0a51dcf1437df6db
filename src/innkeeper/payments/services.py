"""Starting payments: the amount owed, the access rules, and no second charge for one debt."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking, BookingStatus
from innkeeper.bookings.selectors import booking_by_reference
from innkeeper.core.errors import Forbidden, InvalidInput, InvalidTransition
from innkeeper.core.money import ZERO, quantize
from innkeeper.payments.ledger import amount_charged, balance_due, is_payable, paid_amount
from innkeeper.payments.models import OPEN_STATUSES, Payment, Provider, Purpose

DESK_METHODS = ("cash", "card", "transfer")


def booking_for_payment(*, reference: str, actor: User, lock: bool = False) -> Booking:
    return booking_by_reference(
        reference, visible_to=actor, related=("property", "charges"), lock=lock
    )


def _amount_owed(booking: Booking, purpose: str) -> Decimal:
    paid = paid_amount(booking)
    # The balance is the whole folio: the stay's price and the extras posted on it.
    target = booking.charges.deposit_due if purpose == Purpose.DEPOSIT else amount_charged(booking)
    return quantize(max(target - paid, ZERO), booking.currency)


def _check(booking: Booking, actor: User, provider: str, method: str) -> None:
    # A checked-out guest who still owes money can pay (late payment, invoice paid later).
    if not is_payable(booking):
        raise InvalidTransition(
            f"Booking {booking.reference} is {booking.status}; it takes no payment"
            + (" (nothing is owed)." if booking.status == BookingStatus.CHECKED_OUT else "."),
            code="booking_not_payable",
        )
    if provider == Provider.PAY_AT_PROPERTY:
        if not actor.is_staff:
            raise Forbidden("Only front-desk staff record desk payments.", code="staff_only")
        if method not in DESK_METHODS:
            raise InvalidInput(
                f"A desk payment needs a method: {', '.join(DESK_METHODS)}.",
                extra={"field": "method"},
            )


def payment_create(
    *,
    reference: str,
    actor: User,
    provider: str,
    purpose: str,
    amount: Decimal | None = None,
    method: str = "",
) -> Payment:
    """A payment row for what the booking owes, or the open one already asking for it."""
    with transaction.atomic():
        booking = booking_for_payment(reference=reference, actor=actor, lock=True)
        _check(booking, actor, provider, method)
        owed = _amount_owed(booking, purpose)
        if amount is not None:
            amount = quantize(amount, booking.currency)
            if not ZERO < amount <= balance_due(booking):
                raise InvalidInput(
                    "Amount must be above 0 and at most the balance due.",
                    code="invalid_amount",
                    extra={"field": "amount"},
                )
            owed = amount
        open_payment = Payment.objects.filter(
            booking=booking,
            provider=provider,
            purpose=purpose,
            status__in=OPEN_STATUSES,
            refund_of__isnull=True,
        ).first()
        if open_payment is not None:
            return open_payment  # the same debt is already being paid: never a second charge
        if owed <= 0:
            raise InvalidTransition(
                f"Nothing is owed for the {purpose} of booking {booking.reference}.",
                code="nothing_owed",
            )
        return Payment.objects.create(
            booking=booking,
            provider=provider,
            purpose=purpose,
            method=method if provider == Provider.PAY_AT_PROPERTY else "card",
            amount=owed,
            currency=booking.currency,
            actor=actor,
        )
