"""Stripe webhooks (PaymentIntents, refunds, Checkout Sessions): verified with the library's
signature check, applied once per event id."""

from __future__ import annotations

import logging
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction

from innkeeper.core.errors import InvalidInput, NotFound
from innkeeper.payments.checkout_provider import session_result
from innkeeper.payments.models import Payment, Provider, WebhookEvent
from innkeeper.payments.providers import INTENT_STATUSES, REFUND_STATUSES, ProviderResult
from innkeeper.payments.settle import OnSucceeded, _locked, payment_apply

logger = logging.getLogger(__name__)
PAYMENT_EVENTS = ("payment_intent.", "refund.", "checkout.session.")


class WebhookNotConfigured(NotFound):
    code, title = "webhook_not_configured", "Webhook not configured"


def _invalid(detail: str) -> InvalidInput:
    return InvalidInput(detail, code="invalid_event", status=400)


def _event_fields(event: Any) -> tuple[str, str, Any]:
    """The event's id, type and object, or 400: a signed event can still lack them (a test
    event, another API version), and that is the sender's error, not a server error."""
    try:
        event_id, event_type, obj = event["id"], event["type"], event["data"]["object"]
        needed = (obj["id"], obj["status"]) if event_type.startswith(PAYMENT_EVENTS) else ()
    except (KeyError, TypeError, AttributeError) as error:
        raise _invalid(f"The webhook event lacks a field it needs ({error}).") from error
    if not all(isinstance(v, str) and v for v in (event_id, event_type, *needed)):
        raise _invalid("The webhook event's id, type, object id or status is not a string.")
    return event_id, event_type, obj


def _result_for(event_type: str, obj: Any) -> tuple[str, ProviderResult] | None:
    if event_type.startswith("payment_intent."):
        status = INTENT_STATUSES.get(obj["status"], "processing")
        authorized = obj["status"] == "requires_capture"
        return obj["id"], ProviderResult(status, obj["id"], authorized=authorized)
    if event_type.startswith("checkout.session."):
        return obj["id"], session_result(obj, event_type)
    if event_type.startswith("refund."):
        return obj["id"], ProviderResult(
            REFUND_STATUSES.get(obj["status"], "processing"), obj["id"]
        )
    return None


def stripe_webhook_apply(
    *, payload: bytes, signature: str, on_succeeded: OnSucceeded | None = None
) -> str:
    """Returns `applied`, `duplicate` or `ignored` (also for news the payment's state machine
    refuses, e.g. a late `processing`). Bad signatures and events lacking fields are refused
    (400); with no webhook secret set, the URL does not exist (404)."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise WebhookNotConfigured("Stripe webhooks are not configured on this server.")
    try:
        event = stripe.Webhook.construct_event(payload.decode(), signature, secret)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise InvalidInput(
            "The webhook signature or payload is not valid.", code="invalid_signature", status=400
        ) from error
    event_id, event_type, obj = _event_fields(event)
    found = _result_for(event_type, obj)
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(
                provider=Provider.STRIPE, event_id=event_id[:120], event_type=event_type[:80]
            )
            if found is None:
                return "ignored"
            ref, result = found
            payment = Payment.objects.filter(provider=Provider.STRIPE, provider_ref=ref).first()
            if payment is None:
                logger.warning("stripe event %s for unknown object %s", event_id, ref)
                return "ignored"
            locked = _locked(payment.pk)
            if not payment_apply(payment=locked, result=result, on_succeeded=on_succeeded):
                return "ignored"  # out of order: the payment is already further along
    except IntegrityError:
        return "duplicate"  # the unique event id: this event was applied already
    return "applied"
