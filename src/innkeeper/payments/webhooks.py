"""Stripe webhooks: verified with the library's signature check, applied once per event id."""

from __future__ import annotations

import logging
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction

from innkeeper.core.errors import InvalidInput, ServiceUnavailable
from innkeeper.payments.models import Payment, Provider, WebhookEvent
from innkeeper.payments.providers import INTENT_STATUSES, REFUND_STATUSES, ProviderResult
from innkeeper.payments.settle import OnSucceeded, _locked, payment_apply

logger = logging.getLogger(__name__)


def _result_for(event_type: str, obj: Any) -> tuple[str, ProviderResult] | None:
    if event_type.startswith("payment_intent."):
        status = INTENT_STATUSES.get(obj["status"], "processing")
        authorized = obj["status"] == "requires_capture"
        return obj["id"], ProviderResult(status, obj["id"], authorized=authorized)
    if event_type.startswith("refund."):
        return obj["id"], ProviderResult(
            REFUND_STATUSES.get(obj["status"], "processing"), obj["id"]
        )
    return None


def stripe_webhook_apply(
    *, payload: bytes, signature: str, on_succeeded: OnSucceeded | None = None
) -> str:
    """Returns `applied`, `duplicate` or `ignored`. Bad signatures are refused (400)."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise ServiceUnavailable(
            "Stripe webhooks are not configured.", code="payment_provider_not_configured"
        )
    try:
        event = stripe.Webhook.construct_event(payload.decode(), signature, secret)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise InvalidInput(
            "The webhook signature or payload is not valid.", code="invalid_signature", status=400
        ) from error
    found = _result_for(event["type"], event["data"]["object"])
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(
                provider=Provider.STRIPE, event_id=event["id"], event_type=event["type"]
            )
            if found is None:
                return "ignored"
            ref, result = found
            payment = Payment.objects.filter(provider=Provider.STRIPE, provider_ref=ref).first()
            if payment is None:
                logger.warning("stripe event %s for unknown object %s", event["id"], ref)
                return "ignored"
            payment_apply(payment=_locked(payment.pk), result=result, on_succeeded=on_succeeded)
    except IntegrityError:
        return "duplicate"  # the unique event id: this event was applied already
    return "applied"
