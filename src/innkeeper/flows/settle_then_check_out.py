"""Settle, then check out: a guest leaves only once the folio is paid, or with its balance
marked "to invoice later" by staff (who and why audited); the final invoice is issued in the
same transaction, so a refused check-out leaves no number used and no payment recorded."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking, BookingStatus
from innkeeper.bookings.services import booking_check_out
from innkeeper.core.errors import Forbidden
from innkeeper.flows.deposit_paid_then_confirm import desk_payment_then_confirm
from innkeeper.payments.folio import (
    checkout_payment_check,
    checkout_settlement,
    folio_booking_lock,
)
from innkeeper.payments.invoices import invoice_issue
from innkeeper.payments.models import Settlement


def booking_check_out_settled(
    *,
    reference: str,
    actor: User | None,
    invoice_later: bool = False,
    reason: str = "",
    source: str = "api",
) -> Booking:
    """Check the guest out; 409 `balance_due` while money is owed and not invoiced later."""
    if actor is None or not actor.is_staff:
        raise Forbidden("Only front-desk staff and managers can do this.", code="staff_only")
    with transaction.atomic():
        # The booking row stays locked until commit: no extra or payment slips in between.
        booking = folio_booking_lock(reference=reference, actor=actor)
        settlement: str = Settlement.SETTLED
        if booking.status == BookingStatus.CHECKED_IN:  # any other: check-out refuses it below
            settlement = checkout_settlement(
                booking=booking,
                actor=actor,
                invoice_later=invoice_later,
                reason=reason,
                source=source,
            )
        checked_out = booking_check_out(reference=booking.reference, actor=actor)
        invoice_issue(
            booking=checked_out, actor=actor, settlement=settlement, reason=reason.strip()
        )
    return checked_out


def desk_payment_then_check_out(
    *, reference: str, actor: User, amount: Decimal, method: str, source: str = "web"
) -> Booking:
    """The guest pays at the desk as they leave: record it, then check out, all or nothing."""
    with transaction.atomic():
        booking = folio_booking_lock(reference=reference, actor=actor)
        checkout_payment_check(booking=booking, amount=amount)
        desk_payment_then_confirm(
            reference=reference, actor=actor, amount=amount, method=method, source=source
        )
        return booking_check_out_settled(reference=reference, actor=actor, source=source)
