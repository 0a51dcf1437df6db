"""Payment providers behind one interface: the front desk and Stripe (PaymentIntents; its
Checkout Sessions are in checkout_provider.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import stripe
from django.conf import settings

from innkeeper.core.errors import ServiceUnavailable
from innkeeper.core.money import to_minor
from innkeeper.payments.models import Payment, PaymentStatus, Provider

logger = logging.getLogger(__name__)

INTENT_STATUSES = {
    "requires_payment_method": PaymentStatus.REQUIRES_ACTION,
    "requires_confirmation": PaymentStatus.REQUIRES_ACTION,
    "requires_action": PaymentStatus.REQUIRES_ACTION,
    "processing": PaymentStatus.PROCESSING,
    "requires_capture": PaymentStatus.PROCESSING,
    "succeeded": PaymentStatus.SUCCEEDED,
    "canceled": PaymentStatus.FAILED,
}
REFUND_STATUSES = {
    "pending": PaymentStatus.PROCESSING,
    "requires_action": PaymentStatus.PROCESSING,
    "succeeded": PaymentStatus.SUCCEEDED,
    "failed": PaymentStatus.FAILED,
    "canceled": PaymentStatus.FAILED,
}


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered 5xx: the outcome is unknown, retry."""


@dataclass(frozen=True)
class ProviderResult:
    status: str
    provider_ref: str = ""
    client_secret: str = ""
    authorized: bool = False  # funds held but not captured yet (requires_capture)
    error: str = ""


class PaymentProvider(Protocol):
    def charge(self, payment: Payment) -> ProviderResult: ...
    def refund(self, refund: Payment) -> ProviderResult: ...
    def fetch(self, payment: Payment) -> ProviderResult: ...


class PayAtProperty:
    """Staff took cash, a card on the desk terminal or a transfer: it happened already."""

    def charge(self, payment: Payment) -> ProviderResult:
        return ProviderResult(PaymentStatus.SUCCEEDED, provider_ref=f"desk-{payment.uid}")

    def refund(self, refund: Payment) -> ProviderResult:
        return ProviderResult(PaymentStatus.SUCCEEDED, provider_ref=f"desk-{refund.uid}")

    def fetch(self, payment: Payment) -> ProviderResult:
        return ProviderResult(payment.status, provider_ref=payment.provider_ref)


class StripeProvider:
    """PaymentIntents through the official library. Each call carries an idempotency key
    derived from our payment's uid, so a retry after a timeout never charges twice."""

    def _client(self) -> stripe.StripeClient:
        if not settings.STRIPE_SECRET_KEY:
            raise ServiceUnavailable(
                "Card payments are not configured (STRIPE_SECRET_KEY is unset).",
                code="payment_provider_not_configured",
            )
        base = settings.STRIPE_API_BASE
        return stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={"api": base} if base else None,
            max_network_retries=0,  # our retry is reconciliation, with the same keys
            http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
        )

    def _call(self, what: str, call: Any) -> Any:
        try:
            return call()
        except (stripe.APIConnectionError, stripe.RateLimitError) as error:
            raise ProviderUnavailable(f"{what}: {type(error).__name__}") from error
        except stripe.APIError as error:
            raise ProviderUnavailable(f"{what}: Stripe API error") from error

    def _intent_result(self, intent: Any) -> ProviderResult:
        return ProviderResult(
            INTENT_STATUSES.get(intent.status, PaymentStatus.PROCESSING),
            provider_ref=intent.id,
            client_secret=intent.client_secret or "",
            authorized=intent.status == "requires_capture",
        )

    def charge(self, payment: Payment) -> ProviderResult:
        params: Any = {
            "amount": to_minor(payment.amount, payment.currency),
            "currency": payment.currency.lower(),
            "automatic_payment_methods": {"enabled": True},
            "metadata": {"payment_uid": str(payment.uid), "booking": payment.booking.reference},
            "description": f"{payment.purpose} for booking {payment.booking.reference}",
        }
        options: Any = {"idempotency_key": f"innkeeper-charge-{payment.uid}"}
        client = self._client()
        try:
            intent = self._call(
                "create intent", lambda: client.v1.payment_intents.create(params, options)
            )
        except stripe.StripeError as error:
            return ProviderResult(PaymentStatus.FAILED, error=str(error.user_message or error))
        return self._intent_result(intent)

    def fetch(self, payment: Payment) -> ProviderResult:
        if not payment.provider_ref:
            return self.charge(payment)  # same idempotency key: finds the intent if it exists
        client = self._client()
        if payment.refund_of_id:
            refund = self._call(
                "get refund", lambda: client.v1.refunds.retrieve(payment.provider_ref)
            )
            return ProviderResult(REFUND_STATUSES.get(refund.status, "processing"), refund.id)
        intent = self._call(
            "get intent", lambda: client.v1.payment_intents.retrieve(payment.provider_ref)
        )
        return self._intent_result(intent)

    def refund(self, refund: Payment) -> ProviderResult:
        if refund.provider_ref:
            return self.fetch(refund)
        assert refund.refund_of is not None
        return self._refund_intent(refund, refund.refund_of.provider_ref)

    def _refund_intent(self, refund: Payment, intent_id: str) -> ProviderResult:
        params: Any = {
            "payment_intent": intent_id,
            "amount": to_minor(refund.amount, refund.currency),
            "metadata": {"payment_uid": str(refund.uid)},
        }
        options: Any = {"idempotency_key": f"innkeeper-refund-{refund.uid}"}
        client = self._client()
        try:
            result = self._call("refund", lambda: client.v1.refunds.create(params, options))
        except stripe.StripeError as error:
            return ProviderResult(PaymentStatus.FAILED, error=str(error.user_message or error))
        return ProviderResult(REFUND_STATUSES.get(result.status, "processing"), result.id)


def provider_for(name: str) -> PaymentProvider:
    if name == Provider.STRIPE:
        # Its subclass also knows Checkout Sessions (`cs_` refs); imported here because that
        # module builds on this one.
        from innkeeper.payments.checkout_provider import StripeCheckout

        return StripeCheckout()
    return PayAtProperty()
