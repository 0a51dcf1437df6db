"""Money taken and given back at the front desk: cash, the desk card terminal or a transfer."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import transaction

from innkeeper.accounts.models import User
from innkeeper.bookings.models import BookingStatus
from innkeeper.core.audit import audit_log
from innkeeper.core.errors import Forbidden, InvalidTransition, NotFound
from innkeeper.payments.ledger import paid_amount
from innkeeper.payments.models import Payment, PaymentStatus, Provider, Purpose
from innkeeper.payments.providers import ProviderResult
from innkeeper.payments.services import booking_for_payment, payment_create
from innkeeper.payments.settle import OnSucceeded, payment_apply, payment_submit


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


def desk_refund_pay_out(
    *, reference: str, refund_id: str, actor: User, source: str = "web"
) -> Payment:
    """Staff gave back cash (or card/transfer) owed since an online cancellation: the refund
    due at the desk is recorded as paid out (ledger entry and receipt), once."""
    if not actor.is_staff:
        raise Forbidden("Only front-desk staff record refunds paid out.", code="staff_only")
    booking = booking_for_payment(reference=reference, actor=actor)
    uid = _uuid_or_none(refund_id)
    if uid is None:
        raise NotFound(f"No refund {refund_id}.", code="refund_not_found")
    with transaction.atomic():
        refund = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("booking", "booking__property", "booking__charges", "refund_of")
            .filter(booking=booking, uid=uid, purpose=Purpose.REFUND)
            .first()
        )
        if refund is None:
            raise NotFound(
                f"No refund {refund_id} on booking {booking.reference}.", code="refund_not_found"
            )
        if refund.status != PaymentStatus.DUE_AT_DESK:
            raise InvalidTransition(
                f"This refund is {refund.get_status_display().lower()}; nothing is due.",
                code="refund_not_due",
            )
        result = ProviderResult(PaymentStatus.SUCCEEDED, provider_ref=f"desk-{refund.uid}")
        payment_apply(payment=refund, result=result, actor=actor)
        audit_log(
            "payment.refund_paid_out",
            actor=actor,
            target=booking.reference,
            source=source,
            details={"amount": str(refund.amount), "method": refund.method},
        )
    return refund


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
