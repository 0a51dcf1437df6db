"""Applying what a provider said about a payment: status, ledger entries, booking effects."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

from innkeeper.accounts.models import User
from innkeeper.core.audit import audit_log
from innkeeper.core.errors import ServiceUnavailable
from innkeeper.payments.ledger import entry_record, is_payable
from innkeeper.payments.models import EntryKind, Payment, PaymentStatus, Provider
from innkeeper.payments.providers import ProviderResult, ProviderUnavailable, provider_for
from innkeeper.payments.states import allowed

logger = logging.getLogger(__name__)

# What a flow does, in the payment's transaction, when a payment has succeeded (e.g. confirm the
# booking once its deposit is paid: flows/deposit_paid_then_confirm.py). Payments knows no
# booking rule; the flow passes this in.
OnSucceeded = Callable[[Payment], None]


class PaymentProviderUnavailable(ServiceUnavailable):
    code, title = "payment_provider_unavailable", "Payment provider unavailable"


def _success_kind(payment: Payment) -> EntryKind:
    if payment.refund_of_id:
        return EntryKind.REFUNDED
    if payment.provider == Provider.PAY_AT_PROPERTY:
        return EntryKind.RECORDED_AT_DESK
    return EntryKind.CAPTURED


def payment_apply(
    *,
    payment: Payment,
    result: ProviderResult,
    actor: User | None = None,
    on_succeeded: OnSucceeded | None = None,
) -> bool:
    """Record the provider's answer on a locked payment row. Safe to repeat, and in any order:
    news that the state machine refuses (payments/states.py), such as a late `processing`
    after `succeeded`, changes nothing and returns False."""
    before = payment.status
    if not allowed(before=before, after=result.status, is_refund=bool(payment.refund_of_id)):
        logger.warning(
            "payment %s: ignored out-of-order news %s -> %s", payment.uid, before, result.status
        )
        return False
    payment.status = result.status
    payment.provider_ref = result.provider_ref or payment.provider_ref
    payment.client_secret = result.client_secret or payment.client_secret
    payment.last_error = result.error[:300]
    payment.save()
    if result.authorized:
        entry_record(payment=payment, kind=EntryKind.AUTHORIZED, actor=actor)
    if result.status == PaymentStatus.SUCCEEDED:
        entry_record(payment=payment, kind=_success_kind(payment), actor=actor, note=payment.reason)
        if on_succeeded is not None:
            on_succeeded(payment)
    elif result.status == PaymentStatus.FAILED and before == PaymentStatus.SUCCEEDED:
        _refund_reverse(payment, actor=actor, error=result.error)
    elif result.status == PaymentStatus.FAILED:
        entry_record(payment=payment, kind=EntryKind.FAILED, actor=actor, note=result.error)
    return True


def _refund_reverse(refund: Payment, *, actor: User | None, error: str) -> None:
    """A refund that succeeded and then failed: the money came back to the property, so an
    appending entry gives it back to what the guest has paid (the refund's entry stays)."""
    entry = entry_record(
        payment=refund,
        kind=EntryKind.REFUND_REVERSED,
        actor=actor,
        note=error or "refund failed after it was recorded",
    )
    if entry is not None:
        audit_log(
            "payment.refund_reversed",
            actor=actor,
            target=refund.booking.reference,
            source="payments",
            details={"payment": str(refund.uid), "amount": str(refund.amount)},
        )


def _locked(payment_id: int) -> Payment:
    return (
        Payment.objects.select_for_update(of=("self",))
        .select_related("booking", "booking__property", "booking__charges", "refund_of")
        .get(pk=payment_id)
    )


def payment_submit(
    *, payment_id: int, actor: User | None = None, on_succeeded: OnSucceeded | None = None
) -> Payment:
    """Send a created (or previously unreachable) payment to its provider, exactly once.

    The row lock makes concurrent submits of one payment wait and then see the result;
    the provider call carries the payment's own idempotency key for the rare retry.
    Raises PaymentProviderUnavailable after recording the state, so the client can retry.
    """
    unavailable = ""
    with transaction.atomic():
        payment = _locked(payment_id)
        if payment.status in (PaymentStatus.CREATED, PaymentStatus.PROVIDER_UNAVAILABLE):
            payment.attempts += 1
            provider = provider_for(payment.provider)
            try:
                call = provider.refund if payment.refund_of_id else provider.charge
                payment_apply(
                    payment=payment, result=call(payment), actor=actor, on_succeeded=on_succeeded
                )
            except ProviderUnavailable as error:
                unavailable = str(error)
                payment.status = PaymentStatus.PROVIDER_UNAVAILABLE
                payment.last_error = unavailable[:300]
                payment.save()
    if unavailable:
        logger.warning("payment %s: provider unavailable (%s)", payment.uid, unavailable)
        raise PaymentProviderUnavailable(
            "The payment provider cannot be reached; nothing was charged twice and the "
            "payment will be settled automatically. Retry with the same Idempotency-Key.",
            extra={"payment_id": str(payment.uid), "payment_status": payment.status},
            headers={"Retry-After": "30"},
        )
    return payment


def payment_refresh(
    *, payment_id: int, on_succeeded: OnSucceeded | None = None
) -> tuple[Payment, str]:
    """Ask the provider for the current state of an open payment; returns (payment, before)."""
    with transaction.atomic():
        payment = _locked(payment_id)
        before = payment.status
        unsent = payment.status in (PaymentStatus.CREATED, PaymentStatus.PROVIDER_UNAVAILABLE)
        if unsent and not payment.refund_of_id and not is_payable(payment.booking):
            # The guest never got a client secret, so nobody can pay it: close it.
            result = ProviderResult(PaymentStatus.FAILED, error="booking no longer active")
            payment_apply(payment=payment, result=result)
        elif payment.is_open:
            provider = provider_for(payment.provider)
            if unsent:
                payment.attempts += 1
                fetch = provider.refund if payment.refund_of_id else provider.fetch
            else:
                fetch = provider.fetch
            payment_apply(payment=payment, result=fetch(payment), on_succeeded=on_succeeded)
        return payment, before
