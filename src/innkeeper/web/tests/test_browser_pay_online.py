"""In Debian's Chromium: a guest books, pays the deposit on the Stripe stand-in's hosted page and
comes back confirmed; another abandons the payment, and when the hold ends the room is free.

The stand-in delivers its signed webhooks to this live server, racing the guest's return, as
Stripe does. The abandoning guest's browser runs without JavaScript: the pages need none.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from innkeeper.bookings.models import Booking
from innkeeper.bookings.models import BookingStatus as S
from innkeeper.jobs.schedule import PERIODIC_JOBS
from innkeeper.payments.models import LedgerEntry, Payment
from innkeeper.rooms.models import PaymentPolicy, Room
from innkeeper.testing.browser import DESKTOP, shoot
from innkeeper.testing.jobs import drain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def book(page: Any, base: str, room: Room, stay: tuple[date, date], name: str) -> Booking:
    page.goto(f"{base}/book/?room={room.pk}&check_in={stay[0]}&check_out={stay[1]}&guests=2")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(f"{name.split()[0].lower()}@example.com")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Booking received")
    return Booking.objects.get(guest_name=name)


def test_guest_pays_the_deposit_online_and_returns_confirmed(
    live_server: Any,
    new_page: Any,
    room: Room,
    stay: tuple[date, date],
    policy: PaymentPolicy,
    stripe_standin: Any,
) -> None:
    stripe_standin.webhook_url = f"{live_server.url}/api/v1/payments/webhooks/stripe"
    page = new_page()
    booking = book(page, live_server.url, room, stay, "Amina Alaoui")
    deposit = page.locator(".deposit")
    expect(deposit).to_contain_text("Deposit due: 105.00 EUR")
    expect(deposit).to_contain_text("If it is not paid by")  # the hold's end
    shoot(page, "pay-online-deposit-due")

    page.get_by_role("button", name="Pay the deposit online").click()
    expect(page).to_have_url(f"{stripe_standin.url}/pay/{Payment.objects.get().provider_ref}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stand-in Checkout")
    shoot(page, "pay-online-hosted-page")
    page.get_by_role("button", name="Pay 105.00 EUR").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Booking confirmed")
    expect(page.locator(".msg-success")).to_contain_text("your deposit is paid")
    expect(page.get_by_role("button", name="Pay the deposit online")).to_have_count(0)
    assert page.url == f"{live_server.url}/bookings/{booking.reference}/confirmation/"
    shoot(page, "pay-online-confirmed")
    # The webhook came too (before or after the return page): one payment all the same.
    assert stripe_standin.wait_for_deliveries() == [("checkout.session.completed", 200)]
    booking.refresh_from_db()
    assert booking.status == S.CONFIRMED
    assert list(LedgerEntry.objects.values_list("kind", flat=True)) == ["captured"]


def test_guest_abandons_the_payment_and_the_room_is_freed_when_the_hold_ends(
    live_server: Any,
    browser: Any,
    new_page: Any,
    room: Room,
    stay: tuple[date, date],
    policy: PaymentPolicy,
    stripe_standin: Any,
) -> None:
    stripe_standin.webhook_url = f"{live_server.url}/api/v1/payments/webhooks/stripe"
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        booking = book(page, live_server.url, room, stay, "Youssef Benali")
        page.get_by_role("button", name="Pay the deposit online").click()
        page.get_by_role("button", name="Cancel and go back").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Booking received")
        expect(page.locator(".messages")).to_contain_text("The deposit was not paid.")
        expect(page.locator(".deposit")).to_contain_text("If it is not paid by")
        shoot(page, "pay-online-abandoned")

        # The hold's 30 minutes pass; the scheduled expiry job runs (the worker's real code).
        Booking.objects.filter(pk=booking.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        PERIODIC_JOBS["bookings.expire_pending"].task.enqueue()
        drain()
        booking.refresh_from_db()
        assert booking.status == S.EXPIRED
        session = stripe_standin.sessions[Payment.objects.get().provider_ref]
        assert session["status"] == "expired"  # closed at Stripe before the room was freed
        assert stripe_standin.wait_for_deliveries() == [("checkout.session.expired", 200)]

        page.reload()
        expect(page.get_by_role("heading", level=1)).to_have_text("Booking expired")
        expect(page.get_by_role("button", name="Pay the deposit online")).to_have_count(0)
        # The room is free again for those nights: the next guest books it.
        page.goto(f"{live_server.url}/search/?check_in={stay[0]}&check_out={stay[1]}&guests=2")
        expect(page.locator(".offer", has_text="Double")).to_be_visible()
        other = new_page()
        book(other, live_server.url, room, stay, "Nadia Idrissi")
    finally:
        context.close()
