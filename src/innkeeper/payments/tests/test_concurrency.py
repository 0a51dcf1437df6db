"""Ten clients replaying one payment request at once over real HTTP: one charge."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import requests
from django.db import connections

from innkeeper.accounts.services import token_issue
from innkeeper.payments.models import Payment

pytestmark = [pytest.mark.slow, pytest.mark.integrity, pytest.mark.django_db(transaction=True)]
CLIENTS = 10


def test_ten_concurrent_replays_of_one_key_charge_once(
    live_server, policy, make_booking, guest, stripe_standin
):
    booking = make_booking()
    token = token_issue(user=guest).token
    url = f"{live_server.url}/api/v1/bookings/{booking.reference}/payments"
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "one-click"}
    barrier = threading.Barrier(CLIENTS)
    outcomes: Counter[tuple[int, str]] = Counter()
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            response = requests.post(
                url, json={"provider": "stripe", "purpose": "deposit"}, headers=headers, timeout=60
            )
            result = (response.status_code, response.json().get("id", response.text))
        finally:
            connections.close_all()
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=run) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    payment = Payment.objects.get()
    assert outcomes == Counter({(201, str(payment.uid)): CLIENTS})
    assert stripe_standin.count("POST", "/v1/payment_intents") == 1
    assert len(stripe_standin.intents) == 1
