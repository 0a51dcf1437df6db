from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from innkeeper.payments.tests.stripe_standin import StripeStandIn

WEBHOOK_SECRET = "whsec_test_standin"


@pytest.fixture
def stripe_standin(settings: Any) -> Iterator[StripeStandIn]:
    server = StripeStandIn()
    settings.STRIPE_SECRET_KEY = "sk_test_standin"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = server.url
    yield server
    server.close()


def signed_event(event_type: str, obj: dict[str, Any], event_id: str) -> tuple[str, str]:
    """An event body and its Stripe-Signature header, signed by the real library's scheme."""
    payload = json.dumps(
        {"id": event_id, "object": "event", "type": event_type, "data": {"object": obj}}
    )
    stamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{stamp}.{payload}", WEBHOOK_SECRET)
    return payload, f"t={stamp},v1={signature}"
