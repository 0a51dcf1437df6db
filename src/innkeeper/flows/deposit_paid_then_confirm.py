"""Deposit paid, then confirm: a pending booking is confirmed in the transaction that records
the payment completing its deposit, whichever way the payment settles (the API or the desk
submitting it, a Stripe webhook, or reconciliation)."""

from __future__ import annotations

from decimal import Decimal

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking, BookingStatus
from innkeeper.bookings.services import booking_confirm
from innkeeper.core.audit import audit_log
from innkeeper.payments.desk import desk_payment_record
from innkeeper.payments.ledger import paid_amount
from innkeeper.payments.models import Payment
from innkeeper.payments.reconcile import ReconcileReport, payments_reconcile
from innkeeper.payments.settle import payment_submit
from innkeeper.payments.webhooks import stripe_webhook_apply


def confirm_if_deposit_paid(payment: Payment) -> None:
    """Called by payments with the succeeded payment's row locked (settle.OnSucceeded)."""
    booking = payment.booking
    if payment.refund_of_id:
        return
    # Read now, not with the payment: a webhook and the guest's return page settle one payment
    # at once, and the one that waited for the payment's lock must see the other's confirm.
    status = Booking.objects.filter(pk=booking.pk).values_list("status", flat=True).get()
    if status != BookingStatus.PENDING:
        return
    if paid_amount(booking) >= booking.charges.deposit_due and booking.property.instant_booking:
        booking_confirm(reference=booking.reference, actor=None)
        audit_log("booking.deposit_paid", target=booking.reference, source="payments")


def payment_submit_then_confirm(*, payment_id: int, actor: User | None) -> Payment:
    return payment_submit(payment_id=payment_id, actor=actor, on_succeeded=confirm_if_deposit_paid)


def desk_payment_then_confirm(
    *, reference: str, actor: User, amount: Decimal, method: str, source: str = "web"
) -> Payment:
    return desk_payment_record(
        reference=reference,
        actor=actor,
        amount=amount,
        method=method,
        source=source,
        on_succeeded=confirm_if_deposit_paid,
    )


def stripe_webhook_then_confirm(*, payload: bytes, signature: str) -> str:
    return stripe_webhook_apply(
        payload=payload, signature=signature, on_succeeded=confirm_if_deposit_paid
    )


def reconcile_then_confirm(*, all_open: bool = False, booking: str = "") -> ReconcileReport:
    return payments_reconcile(
        all_open=all_open, booking=booking, on_succeeded=confirm_if_deposit_paid
    )
