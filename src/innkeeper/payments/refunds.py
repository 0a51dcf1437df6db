"""Refunds: what the cancellation policy gives back, or a staff override with a reason."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from innkeeper.accounts.models import User
from innkeeper.bookings.charges import booking_cancellation_fee
from innkeeper.bookings.models import Booking, BookingStatus
from innkeeper.core.audit import audit_log
from innkeeper.core.errors import Forbidden, InvalidInput, InvalidTransition
from innkeeper.core.money import ZERO, quantize
from innkeeper.payments.ledger import paid_amount
from innkeeper.payments.models import OPEN_STATUSES, Payment, PaymentStatus, Provider, Purpose
from innkeeper.payments.settle import PaymentProviderUnavailable, payment_submit

logger = logging.getLogger(__name__)


def policy_refund_amount(booking: Booking) -> Decimal:
    """What the policy gives back for a cancelled booking: paid minus the fee, never below 0."""
    assert booking.cancelled_at is not None
    return policy_refund_preview(booking, at=booking.cancelled_at).refund


@dataclass(frozen=True)
class RefundPreview:
    paid: Decimal
    fee: Decimal
    refund: Decimal


def policy_refund_preview(booking: Booking, *, at: datetime) -> RefundPreview:
    """What cancelling at `at` would give back: shown to the guest before they confirm."""
    fee = booking_cancellation_fee(booking, booking.charges, at)
    refundable = _refundable(booking)
    refund = quantize(max(refundable - fee, ZERO), booking.currency)
    return RefundPreview(paid=refundable, fee=fee, refund=refund)


def _refundable(booking: Booking) -> Decimal:
    """Paid, less refunds already asked for but not settled yet."""
    in_flight = Payment.objects.filter(
        booking=booking,
        purpose=Purpose.REFUND,
        status__in=(*OPEN_STATUSES, PaymentStatus.DUE_AT_DESK),
    ).aggregate(s=Sum("amount"))["s"]
    return paid_amount(booking) - (in_flight or ZERO)


def _remaining_on(charge: Payment) -> Decimal:
    refunded = charge.refunds.exclude(status=PaymentStatus.FAILED).aggregate(s=Sum("amount"))["s"]
    return charge.amount - (refunded or ZERO)


class NothingToRefund(InvalidTransition):
    code, title = "nothing_to_refund", "Nothing to refund"


def _plan(
    booking: Booking, amount: Decimal, actor: User | None, reason: str, *, pay_out_now: bool
) -> list[Payment]:
    """Refund rows spread over the captured charges, newest first. Cash taken at the desk
    that nobody is paying out now (an online cancellation) becomes a refund due at the desk."""
    refunds: list[Payment] = []
    left = amount
    charges = booking.payments.filter(
        refund_of__isnull=True, status=PaymentStatus.SUCCEEDED
    ).order_by("-created_at", "-id")
    for charge in charges:
        part = min(left, _remaining_on(charge))
        if part <= 0:
            continue
        refunds.append(
            Payment.objects.create(
                booking=booking,
                provider=charge.provider,
                purpose=Purpose.REFUND,
                method=charge.method,
                amount=part,
                currency=booking.currency,
                refund_of=charge,
                actor=actor,
                reason=reason[:300],
                status=PaymentStatus.CREATED
                if pay_out_now or charge.provider != Provider.PAY_AT_PROPERTY
                else PaymentStatus.DUE_AT_DESK,
            )
        )
        left -= part
        if left <= 0:
            break
    return refunds


def refund_issue(
    *,
    booking: Booking,
    actor: User | None,
    amount: Decimal | None,
    reason: str,
    pay_out_now: bool = True,
) -> list[Payment]:
    """Refund `amount` (staff override, reason required) or the policy amount if None.

    `pay_out_now`: staff hand desk-taken money back as they record it; otherwise (a
    cancellation made online) such a refund is due at the desk until staff record it.
    Raises NothingToRefund (409) when the paid charges cannot cover `amount`."""
    if amount is not None:
        if actor is not None and not actor.is_staff:
            raise Forbidden("Only staff can refund outside the policy.", code="staff_only")
        if not reason.strip():
            raise InvalidInput("A refund override needs a reason.", extra={"field": "reason"})
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("property", "charges")
            .get(pk=booking.pk)
        )
        if amount is None:
            if booking.status != BookingStatus.CANCELLED:
                raise InvalidInput(
                    "The policy refund applies to cancelled bookings; give an amount to refund "
                    "anything else.",
                    code="not_cancelled",
                )
            amount = policy_refund_amount(booking)
        amount = quantize(amount, booking.currency)
        if amount <= 0 or amount > _refundable(booking):
            raise InvalidInput(
                f"Refund must be above 0 and at most {_refundable(booking)} {booking.currency}.",
                code="invalid_amount",
                extra={"field": "amount"},
            )
        refunds = _plan(
            booking, amount, actor, reason or "cancellation policy", pay_out_now=pay_out_now
        )
        planned = sum((r.amount for r in refunds), ZERO)
        if planned < amount:  # rolls the planned rows back: all or nothing
            raise NothingToRefund(
                f"Only {quantize(planned, booking.currency)} {booking.currency} of the paid "
                f"charges can be refunded, not {amount}; nothing was refunded.",
                extra={"refundable": str(quantize(planned, booking.currency))},
            )
        audit_log(
            "payment.refund_requested",
            actor=actor,
            target=booking.reference,
            source="payments",
            details={"amount": str(amount), "override": bool(reason), "reason": reason},
        )
    return [_submit_quietly(refund, actor) for refund in refunds]


def _submit_quietly(refund: Payment, actor: User | None) -> Payment:
    """A refund the provider could not take now stays open; reconciliation finishes it."""
    if refund.status == PaymentStatus.DUE_AT_DESK:
        return refund  # nothing to send: staff pay it out at the desk and record it
    try:
        return payment_submit(payment_id=refund.pk, actor=actor)
    except PaymentProviderUnavailable:
        refund.refresh_from_db()
        return refund


def refunds_on_cancellation(*, booking: Booking, actor: User | None) -> list[Payment]:
    """Called once a booking is cancelled (flows/cancel_then_refund.py): give back what the
    policy says, if anything."""
    booking = Booking.objects.select_related("property", "charges").get(pk=booking.pk)
    if not hasattr(booking, "charges") or policy_refund_amount(booking) <= 0:
        return []
    # Staff cancelling (desk page, API, admin) give desk money back as they do it; a guest
    # cancelling online is owed it at the desk until staff pay it out and record it.
    staff_now = actor is not None and actor.is_staff
    try:
        return refund_issue(
            booking=booking, actor=actor, amount=None, reason="", pay_out_now=staff_now
        )
    except NothingToRefund as error:
        # The booking is cancelled already; staff see what was paid and refund by hand.
        logger.warning("booking %s: policy refund not issued: %s", booking.reference, error)
        return []
