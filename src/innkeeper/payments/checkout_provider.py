"""Stripe Checkout Sessions through the official library: the hosted payment page.

A Checkout payment's `provider_ref` is the session id (`cs_...`): webhooks, the return page
and reconciliation all find the payment by it; the PaymentIntent Stripe creates behind the
session is looked up from the session when a refund needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import stripe

from innkeeper.core.money import to_minor
from innkeeper.payments.models import Payment, PaymentStatus
from innkeeper.payments.providers import ProviderResult, StripeProvider

SESSION_PREFIX = "cs_"


def is_checkout_session(ref: str) -> bool:
    return ref.startswith(SESSION_PREFIX)


def _field(obj: Any, name: str) -> Any:
    """A field of a StripeObject (no `.get` since stripe 13) or of a plain dict."""
    return obj[name] if name in obj else None  # noqa: SIM401 - StripeObject has no .get


def session_result(session: Any, event_type: str = "") -> ProviderResult:
    """Our payment status for a session (object from the API or a webhook event)."""
    status, paid = session["status"], _field(session, "payment_status")
    if event_type == "checkout.session.async_payment_failed":
        result, error = PaymentStatus.FAILED, "the payment failed after checkout"
    elif status == "complete" and paid in ("paid", "no_payment_required"):
        result, error = PaymentStatus.SUCCEEDED, ""
    elif status == "complete":  # a delayed method (bank debit): the outcome comes later
        result, error = PaymentStatus.PROCESSING, ""
    elif status == "expired":
        result, error = PaymentStatus.FAILED, "the checkout session expired unpaid"
    else:
        result, error = PaymentStatus.REQUIRES_ACTION, ""
    return ProviderResult(result, provider_ref=session["id"], error=error)


@dataclass(frozen=True)
class SessionAnswer:
    result: ProviderResult
    url: str = ""  # the hosted page, while the session is open


class StripeCheckout(StripeProvider):
    """Creates, reads and expires sessions; every create carries the payment's own
    idempotency key, so a retry after a timeout finds the same session."""

    def _answer(self, session: Any) -> SessionAnswer:
        return SessionAnswer(session_result(session), url=_field(session, "url") or "")

    def session_create(
        self, payment: Payment, *, success_url: str, cancel_url: str, expires_at: datetime
    ) -> SessionAnswer:
        booking = payment.booking
        params: Any = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": payment.currency.lower(),
                        "unit_amount": to_minor(payment.amount, payment.currency),
                        "product_data": {
                            "name": f"Deposit for booking {booking.reference}",
                            "description": f"{booking.property.name}, "
                            f"{booking.check_in} to {booking.check_out}",
                        },
                    },
                }
            ],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "expires_at": int(expires_at.timestamp()),
            "client_reference_id": booking.reference,
            "customer_email": booking.guest_email,
            "metadata": {"payment_uid": str(payment.uid), "booking": booking.reference},
            "payment_intent_data": {"metadata": {"payment_uid": str(payment.uid)}},
        }
        options: Any = {"idempotency_key": f"innkeeper-checkout-{payment.uid}"}
        client = self._client()
        try:
            session = self._call(
                "create checkout session",
                lambda: client.v1.checkout.sessions.create(params, options),
            )
        except stripe.StripeError as error:
            return SessionAnswer(
                ProviderResult(PaymentStatus.FAILED, error=str(error.user_message or error))
            )
        return self._answer(session)

    def session_get(self, ref: str) -> SessionAnswer:
        client = self._client()
        return self._answer(
            self._call("get checkout session", lambda: client.v1.checkout.sessions.retrieve(ref))
        )

    def session_expire(self, ref: str) -> SessionAnswer:
        """Expire an open session so nobody can pay it any more; a session that is no longer
        open (paid a moment ago, or expired) is read instead: the answer is its real state."""
        client = self._client()
        try:
            session = self._call(
                "expire checkout session", lambda: client.v1.checkout.sessions.expire(ref)
            )
        except stripe.InvalidRequestError:
            return self.session_get(ref)
        return self._answer(session)

    def payment_intent_of(self, ref: str) -> str:
        client = self._client()
        session = self._call(
            "get checkout session", lambda: client.v1.checkout.sessions.retrieve(ref)
        )
        intent = _field(session, "payment_intent") or ""
        return intent if isinstance(intent, str) else str(intent["id"])

    def charge(self, payment: Payment) -> ProviderResult:
        if payment.hosted_checkout:  # never a PaymentIntent for it: its session is the charge
            return ProviderResult(payment.status, provider_ref=payment.provider_ref)
        return super().charge(payment)

    def fetch(self, payment: Payment) -> ProviderResult:
        if is_checkout_session(payment.provider_ref):
            return self.session_get(payment.provider_ref).result
        if payment.hosted_checkout:
            # No session was made (Stripe was unreachable), so the guest has no page to pay
            # on: nothing to ask. It closes when the booking does (settle.payment_refresh).
            return ProviderResult(payment.status)
        return super().fetch(payment)

    def refund(self, refund: Payment) -> ProviderResult:
        """Stripe refunds the PaymentIntent behind a Checkout Session, not the session."""
        original = refund.refund_of
        checkout = original is not None and is_checkout_session(original.provider_ref)
        if checkout and original is not None and not refund.provider_ref:
            intent = self.payment_intent_of(original.provider_ref)
            return self._refund_intent(refund, intent)
        return super().refund(refund)
