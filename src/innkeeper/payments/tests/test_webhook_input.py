"""Webhooks (issue 12, finding 14): a correctly signed event lacking fields is a 400, never a
500; without a webhook secret the URL answers 404."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import stripe

from innkeeper.testing.stripe import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments/webhooks/stripe"


def post_signed(anon: Any, event: Any) -> Any:
    payload = json.dumps(event)
    stamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{stamp}.{payload}", WEBHOOK_SECRET)
    return anon.client.post(
        URL,
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": f"t={stamp},v1={signature}"},
    )


@pytest.mark.parametrize(
    "event",
    [
        {"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_1"}}},
        {"id": "evt_2", "type": "refund.failed", "data": {"object": {"status": "failed"}}},
        {"id": "evt_3", "type": "payment_intent.succeeded", "data": {}},
        {"id": "evt_4", "type": "payment_intent.succeeded"},
        {"id": "evt_5", "data": {"object": {"id": "pi_1", "status": "succeeded"}}},
        {"type": "payment_intent.succeeded", "data": {"object": {"id": "pi", "status": "x"}}},
        {"id": "evt_7", "type": "payment_intent.succeeded", "data": {"object": "pi_1"}},
        {"id": "evt_8", "type": "refund.updated", "data": {"object": {"id": 7, "status": []}}},
        {"id": ["evt"], "type": "refund.updated", "data": {"object": {"id": "r", "status": "x"}}},
    ],
)
def test_signed_event_missing_fields_is_400(anon, stripe_standin, event):
    response = post_signed(anon, event)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_event"


def test_signed_event_of_another_kind_is_accepted_and_ignored(anon, stripe_standin):
    event = {"id": "evt_c", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}
    response = post_signed(anon, event)
    assert response.status_code == 200 and response.json() == {"result": "ignored"}


def test_unconfigured_webhook_is_404(anon, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = anon.client.post(URL, "{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json()["code"] == "webhook_not_configured"
