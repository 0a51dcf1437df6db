from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from innkeeper.testing.stripe import WEBHOOK_SECRET, StripeStandIn


@pytest.fixture
def stripe_standin(settings: Any) -> Iterator[StripeStandIn]:
    server = StripeStandIn()
    settings.STRIPE_SECRET_KEY = "sk_test_standin"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = server.url
    yield server
    server.close()
