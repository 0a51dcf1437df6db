"""Money taken at the front desk: cash, the desk card terminal or a bank transfer."""

from __future__ import annotations

from decimal import Decimal

from innkeeper.accounts.models import User
from innkeeper.bookings.models import BookingStatus
from innkeeper.core.audit import audit_log
from innkeeper.payments.ledger import paid_amount
from innkeeper.payments.models import Payment, Provider, Purpose
from innkeeper.payments.services import booking_for_payment, payment_create
from innkeeper.payments.settle import OnSucceeded, payment_submit


def desk_payment_record(
    *,
    reference: str,
    actor: User,
    amount: Decimal,
    method: str,
    source: str = "web",
    on_succeeded: OnSucceeded | None = None,
) -> Payment:
    """Record money the desk took. A pending booking's first payment counts as its deposit
    (so paying it confirms the booking, as a card deposit would); anything else as balance."""
    booking = booking_for_payment(reference=reference, actor=actor)
    unpaid_deposit = (
        booking.status == BookingStatus.PENDING
        and paid_amount(booking) < booking.charges.deposit_due
    )
    payment = payment_create(
        reference=booking.reference,
        actor=actor,
        provider=Provider.PAY_AT_PROPERTY,
        purpose=Purpose.DEPOSIT if unpaid_deposit else Purpose.BALANCE,
        amount=amount,
        method=method,
    )
    payment = payment_submit(payment_id=payment.pk, actor=actor, on_succeeded=on_succeeded)
    audit_log(
        "payment.recorded_at_desk",
        actor=actor,
        target=booking.reference,
        source=source,
        details={"amount": str(payment.amount), "method": method, "status": payment.status},
    )
    return payment
