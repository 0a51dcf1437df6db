"""Stripe webhook events as the stand-in (and tests) send them, signed by the real library."""

from __future__ import annotations

import json
import time
from typing import Any

import stripe

WEBHOOK_SECRET = "whsec_test_standin"  # noqa: S105 - a test-only signing secret


def signed_event(event_type: str, obj: dict[str, Any], event_id: str) -> tuple[str, str]:
    """An event body and its Stripe-Signature header, signed by the real library's scheme."""
    payload = json.dumps(
        {"id": event_id, "object": "event", "type": event_type, "data": {"object": obj}}
    )
    stamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{stamp}.{payload}", WEBHOOK_SECRET)
    return payload, f"t={stamp},v1={signature}"
