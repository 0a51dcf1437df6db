"""Paying the deposit online from the guest pages, without JavaScript: a form POST answered
303 to Stripe's hosted page, and the return page that asks Stripe rather than the URL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from innkeeper.bookings.models import Booking
from innkeeper.ops.maintenance import read_only_set
from innkeeper.payments.models import LedgerEntry, Payment
from innkeeper.rooms.models import PaymentPolicy, Room
from innkeeper.testing.stripe import closed_port_url
from innkeeper.testing.web import book_data

pytestmark = pytest.mark.django_db
BUTTON = "Pay the deposit online"


def page_book(client: Client, room: Room, stay: tuple[date, date]) -> Booking:
    response = client.post("/book/", book_data(room, stay))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Booking.objects.get(reference=response["Location"].split("/")[2])


def pay_click(client: Client, booking: Booking) -> Any:
    return client.post(f"/bookings/{booking.reference}/pay/")


def test_pending_booking_offers_online_payment_and_sends_the_guest_to_stripe(
    client: Client, room: Room, stay: tuple[date, date], policy: PaymentPolicy, stripe_standin: Any
) -> None:
    booking = page_book(client, room, stay)
    page = client.get(f"/bookings/{booking.reference}/confirmation/").content.decode()
    assert BUTTON in page and f'action="/bookings/{booking.reference}/pay/"' in page
    assert "If it is not paid by" in page  # the hold's end is shown
    response = pay_click(client, booking)
    assert response.status_code == 303
    assert response["Location"].startswith(f"{stripe_standin.url}/pay/cs_test_")
    session = stripe_standin.sessions[response["Location"].rsplit("/", 1)[1]]
    assert session["success_url"] == (
        f"http://testserver/bookings/{booking.reference}/payment/return/"
        "?session_id={CHECKOUT_SESSION_ID}"
    )
    assert (
        session["cancel_url"]
        == f"http://testserver/bookings/{booking.reference}/payment/cancelled/"
    )
    assert pay_click(client, booking)["Location"] == response["Location"]  # same session
    my = client.get("/my-bookings/").content.decode()
    assert BUTTON in my


def test_return_after_paying_confirms_the_booking(
    client: Client, room: Room, stay: tuple[date, date], policy: PaymentPolicy, stripe_standin: Any
) -> None:
    booking = page_book(client, room, stay)
    hosted = pay_click(client, booking)["Location"]
    session_id = hosted.rsplit("/", 1)[1]
    stripe_standin.pay(session_id)
    back = client.get(f"/bookings/{booking.reference}/payment/return/?session_id={session_id}")
    assert back.status_code == 302
    page = client.get(back["Location"]).content.decode()
    assert "<h1>Booking confirmed</h1>" in page
    assert "Thank you: your deposit is paid." in page
    assert BUTTON not in page
    assert LedgerEntry.objects.filter(kind="captured").count() == 1


def test_return_page_trusts_stripe_not_the_query_string(
    client: Client, room: Room, stay: tuple[date, date], policy: PaymentPolicy, stripe_standin: Any
) -> None:
    unpaid = page_book(client, room, stay)
    pay_click(client, unpaid)
    later = (stay[1], stay[1] + timedelta(days=2))
    other = page_book(client, room, later)
    paid_id = pay_click(client, other)["Location"].rsplit("/", 1)[1]
    stripe_standin.pay(paid_id)
    # The other booking's paid session id in this booking's return URL pays nothing here.
    client.get(f"/bookings/{unpaid.reference}/payment/return/?session_id={paid_id}")
    assert Booking.objects.get(pk=unpaid.pk).status == "pending"
    assert Booking.objects.get(pk=other.pk).status == "pending"  # not its return page yet
    assert not LedgerEntry.objects.exists()


def test_cancel_on_the_hosted_page_comes_back_still_held(
    client: Client, room: Room, stay: tuple[date, date], policy: PaymentPolicy, stripe_standin: Any
) -> None:
    booking = page_book(client, room, stay)
    pay_click(client, booking)
    back = client.get(f"/bookings/{booking.reference}/payment/cancelled/", follow=True)
    page = back.content.decode()
    assert "The deposit was not paid. You can pay it until the hold ends." in page
    assert "<h1>Booking received</h1>" in page and BUTTON in page


def test_others_cannot_pay_or_return_for_a_booking(
    client: Client, room: Room, stay: tuple[date, date], policy: PaymentPolicy, stripe_standin: Any
) -> None:
    booking = page_book(client, room, stay)
    stranger = Client()
    assert pay_click(stranger, booking).status_code == 404
    assert stranger.get(f"/bookings/{booking.reference}/payment/return/").status_code == 404
    assert not Payment.objects.exists()


def test_no_button_without_stripe_and_a_clear_message_when_it_is_down(
    client: Client,
    room: Room,
    stay: tuple[date, date],
    policy: PaymentPolicy,
    stripe_standin: Any,
    settings: Any,
) -> None:
    booking = page_book(client, room, stay)
    settings.STRIPE_CHECKOUT_ENABLED = False
    assert BUTTON not in client.get(f"/bookings/{booking.reference}/confirmation/").content.decode()
    refused = pay_click(client, booking)
    assert refused.status_code == 302 and not Payment.objects.exists()
    settings.STRIPE_CHECKOUT_ENABLED = True
    settings.STRIPE_API_BASE = closed_port_url()
    down = client.post(f"/bookings/{booking.reference}/pay/", follow=True).content.decode()
    assert "Online payment is unavailable for a moment; nothing was charged." in down
    assert Booking.objects.get(pk=booking.pk).status == "pending"


def test_return_page_writes_nothing_in_read_only_mode(
    client: Client, room: Room, stay: tuple[date, date], policy: PaymentPolicy, stripe_standin: Any
) -> None:
    booking = page_book(client, room, stay)
    session_id = pay_click(client, booking)["Location"].rsplit("/", 1)[1]
    stripe_standin.pay(session_id)
    read_only_set(enabled=True, actor="ops@test")
    page = client.get(f"/bookings/{booking.reference}/payment/return/", follow=True)
    assert "We confirm your payment shortly" in page.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == "pending"
    read_only_set(enabled=False, actor="ops@test")
    client.get(f"/bookings/{booking.reference}/payment/return/")
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"
