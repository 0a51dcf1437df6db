"""The webhook and the guest's return page settle one paid Checkout Session at the same moment,
over real HTTP from real threads: the booking confirms once and the ledger records one payment."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import requests
from django.db import connections
from django.test import Client

from innkeeper.bookings.models import BookingEvent
from innkeeper.core.models import AuditEvent
from innkeeper.flows.pay_online import checkout_then_confirm
from innkeeper.payments.models import LedgerEntry, Receipt
from innkeeper.testing.stripe import signed_event

pytestmark = [pytest.mark.slow, pytest.mark.integrity, pytest.mark.django_db(transaction=True)]
ROUNDS = 4


def test_webhook_and_return_page_at_once_confirm_exactly_once(
    live_server, policy, make_booking, guest, stay, stripe_standin
):
    browser = Client()
    browser.force_login(guest)  # the guest's own session: the return page is theirs
    cookies = {"sessionid": browser.cookies["sessionid"].value}
    bookings = []
    for round_ in range(ROUNDS):
        check_in = stay[0] + timedelta(days=3 * round_)
        booking = make_booking(check_in=check_in, check_out=check_in + timedelta(days=2))
        back = f"{live_server.url}/bookings/{booking.reference}/payment/return/"
        start = checkout_then_confirm(
            booking=booking, actor=guest, success_url=back, cancel_url=back
        )
        paid = stripe_standin.pay(start.url.rsplit("/", 1)[1])
        bookings.append((booking, back, paid))

    def race(back: str, paid: dict[str, Any], event_id: str) -> list[int]:
        payload, signature = signed_event("checkout.session.completed", paid, event_id)
        barrier = threading.Barrier(2)
        statuses: list[int] = []

        def hook() -> None:
            barrier.wait()
            statuses.append(
                requests.post(
                    f"{live_server.url}/api/v1/payments/webhooks/stripe",
                    data=payload,
                    headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
                    timeout=60,
                ).status_code
            )
            connections.close_all()

        def back_page() -> None:
            barrier.wait()
            response = requests.get(
                f"{back}?session_id={paid['id']}",
                cookies=cookies,
                timeout=60,
                allow_redirects=False,
            )
            statuses.append(response.status_code)
            connections.close_all()

        threads = [threading.Thread(target=hook), threading.Thread(target=back_page)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        return sorted(statuses)

    for index, (booking, back, paid) in enumerate(bookings):
        assert race(back, paid, f"evt_race_{index}") == [200, 302]
        booking.refresh_from_db()
        assert booking.status == "confirmed"
        assert BookingEvent.objects.filter(booking=booking, to_status="confirmed").count() == 1
        captured = LedgerEntry.objects.filter(booking=booking, kind="captured")
        assert captured.count() == 1
        assert Receipt.objects.filter(booking=booking).count() == 1
    assert AuditEvent.objects.filter(action="booking.deposit_paid").count() == ROUNDS
