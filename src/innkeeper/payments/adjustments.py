"""Money after a booking's price changed (a booking change): what is owed, what goes back.

Policy: the guest owes the new total less what they paid (the balance due; a pending
booking's deposit rises or falls with its price: the top-up is what its hold now waits for).
Anything paid above the new total is refunded at once, like a policy refund: to the card it
came from, or (a guest's change online, money taken at the desk) due at the desk.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking
from innkeeper.core.errors import InvalidInput
from innkeeper.core.money import ZERO, quantize
from innkeeper.payments.ledger import amount_charged, extras_total, paid_amount
from innkeeper.payments.models import Payment
from innkeeper.payments.refunds import NothingToRefund, _refundable, refund_issue

logger = logging.getLogger(__name__)
CHANGE_REFUND_REASON = "booking changed: paid above the new total"


@dataclass(frozen=True)
class ChangeMoney:
    paid: Decimal
    balance_due: Decimal  # new total + extras - paid, never below 0
    deposit_top_up: Decimal  # new deposit - paid, never below 0
    refund: Decimal  # paid (less refunds under way) above the new total + extras


def change_money(*, booking: Booking, new_total: Decimal, new_deposit: Decimal) -> ChangeMoney:
    cur = booking.currency
    paid = paid_amount(booking)
    refundable = _refundable(booking)
    # Extras posted on the folio are owed whatever the stay becomes: never refunded here.
    owed = new_total + extras_total(booking)
    return ChangeMoney(
        paid=paid,
        balance_due=quantize(max(owed - paid, ZERO), cur),
        deposit_top_up=quantize(max(new_deposit - paid, ZERO), cur),
        refund=quantize(max(refundable - owed, ZERO), cur),
    )


def refund_after_change(*, reference: str, actor: User | None) -> list[Payment]:
    """Give back what was paid above the booking's (new) total. Safe to run again: once
    refunded, nothing is above the total any more."""
    booking = Booking.objects.select_related("property", "charges").get(reference=reference.upper())
    excess = quantize(_refundable(booking) - amount_charged(booking), booking.currency)
    if excess <= 0:
        return []
    staff = actor is not None and actor.is_staff
    try:
        # A guest's change refunds by the policy (the system issues it, like a cancellation
        # refund); staff hand desk money back as they make the change.
        return refund_issue(
            booking=booking,
            actor=actor if staff else None,
            amount=excess,
            reason=CHANGE_REFUND_REASON,
            pay_out_now=staff,
        )
    except (NothingToRefund, InvalidInput) as error:
        # The change is committed; staff see the balance and refund by hand.
        logger.warning("booking %s: change refund not issued: %s", booking.reference, error)
        return []
