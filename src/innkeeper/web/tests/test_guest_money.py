"""Money on the guest pages: taxes and totals equal the stored charges, the deposit, the
policy refund shown before cancelling and issued after, and receipts for the guest only."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking, BookingCharges
from innkeeper.bookings.models import BookingStatus as S
from innkeeper.conftest import ApiClient
from innkeeper.flows.deposit_paid_then_confirm import desk_payment_then_confirm
from innkeeper.payments.desk import desk_refund_pay_out
from innkeeper.payments.models import EntryKind, LedgerEntry, Payment
from innkeeper.rooms.models import PaymentPolicy, Room
from innkeeper.testing.web import book_data

pytestmark = pytest.mark.django_db

CHARGE_FIELDS = (
    "currency",
    "room_subtotal",
    "tourist_tax",
    "vat_percent",
    "vat_amount",
    "total",
    "first_night",
    "deposit_due",
    "free_cancellation_hours",
)


def page_book(client: Client, room: Room, stay: tuple[date, date]) -> Booking:
    response = client.post("/book/", book_data(room, stay))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Booking.objects.select_related("charges").get(reference=response["Location"][10:-14])


def test_pages_show_the_taxes_and_total_the_booking_stores(
    client: Client,
    room: Room,
    stay: tuple[date, date],
    policy: PaymentPolicy,
    guest_api: ApiClient,
) -> None:
    # 3 nights x 100 (VAT 10% included: 27.27) + 2.50 x 2 guests x 3 nights = 315.00.
    query: dict[str, Any] = {"check_in": stay[0], "check_out": stay[1], "guests": 2}
    results = client.get("/search/", query).content.decode()
    assert "315.00 EUR" in results and "Includes tourist tax 15.00 EUR" in results
    assert "VAT 10% included (27.27 EUR)" in results and "Deposit 105.00 EUR" in results
    form = client.get("/book/", {**query, "room": room.pk}).content.decode()
    for shown in ("300.00 EUR", "27.27 EUR", "15.00 EUR", "315.00 EUR", "105.00 EUR"):
        assert shown in form, shown
    assert "Free cancellation until <strong>" in form and "(Africa/Casablanca time)" in form

    booking = page_book(client, room, stay)
    charges = booking.charges
    assert (charges.total, charges.tourist_tax, booking.total_price) == (
        Decimal(315),
        Decimal(15),
        Decimal(315),
    )
    confirmation = client.get(f"/bookings/{booking.reference}/confirmation/").content.decode()
    for amount in (charges.room_subtotal, charges.vat_amount, charges.tourist_tax, charges.total):
        assert f"{amount:.2f} EUR" in confirmation

    # The same stay booked through the API stores the very same charges.
    other = Room.objects.create(property=room.property, room_type=room.room_type, number="102")
    api = guest_api.post(
        "/api/v1/bookings",
        {"room_id": other.pk, "check_in": stay[0], "check_out": stay[1], "guests": 2},
    )
    assert api.status_code == 201, api.content
    stored = BookingCharges.objects.get(booking__reference=api.json()["reference"])
    for name in CHARGE_FIELDS:
        assert getattr(stored, name) == getattr(charges, name), name


def test_deposit_keeps_the_booking_pending_and_the_page_says_until_when(
    client: Client, room: Room, stay: tuple[date, date], policy: PaymentPolicy, staff: User
) -> None:
    booking = page_book(client, room, stay)
    assert booking.status == S.PENDING and booking.expires_at is not None
    page = client.get(f"/bookings/{booking.reference}/confirmation/").content.decode()
    assert "<h1>Booking received</h1>" in page
    assert "Deposit due: 105.00 EUR." in page
    expiry = timezone.localtime(booking.expires_at, room.property.zone)
    assert f"{expiry:%a} {expiry.day} {expiry:%b %Y, %H:%M}" in page
    assert "the booking expires and the room is released" in page
    assert "Pay at the front desk" in page
    assert 'type="card' not in page and "<script" not in page  # no card form, no JS

    desk_payment_then_confirm(
        reference=booking.reference, actor=staff, amount=Decimal("105"), method="cash"
    )
    booking.refresh_from_db()
    assert booking.status == S.CONFIRMED
    assert "Deposit due" not in client.get("/my-bookings/").content.decode()


def test_cancel_shows_the_policy_refund_then_refunds_it(
    client: Client, room: Room, stay: tuple[date, date], policy: PaymentPolicy, staff: User
) -> None:
    booking = page_book(client, room, stay)
    desk_payment_then_confirm(
        reference=booking.reference, actor=staff, amount=Decimal("315"), method="card"
    )
    mine = client.get("/my-bookings/").content.decode()
    assert 'refunds <strong class="refund-now">315.00 EUR</strong>: everything paid' in mine
    asked = client.get(f"/bookings/{booking.reference}/cancel/").content.decode()
    assert 'refunds <strong class="refund-now">315.00 EUR</strong>' in asked
    assert Booking.objects.get(pk=booking.pk).status == S.CONFIRMED  # asking changes nothing

    done = client.post(f"/bookings/{booking.reference}/cancel/", follow=True).content.decode()
    # Paid on the desk terminal: the refund is due there, not recorded as paid out.
    assert "A refund of 315.00 EUR is due to you at the front desk" in done
    assert not LedgerEntry.objects.filter(booking=booking, kind=EntryKind.REFUNDED).exists()
    (due,) = Payment.objects.filter(booking=booking, purpose="refund")
    assert due.status == "due_at_desk"
    desk_refund_pay_out(reference=booking.reference, refund_id=str(due.uid), actor=staff)
    refund = LedgerEntry.objects.get(booking=booking, kind=EntryKind.REFUNDED)
    assert refund.settled == Decimal("-315")
    done = client.get("/my-bookings/").content.decode()
    numbers = list(booking.receipts.order_by("sequence").values_list("number", flat=True))
    assert len(numbers) == 2 and all(number in done for number in numbers)

    pdf = client.get(f"/bookings/{booking.reference}/receipts/{numbers[1]}/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    html = client.get(f"/bookings/{booking.reference}/receipts/{numbers[1]}/?format=html")
    assert "Refund" in html.content.decode()
    stranger = Client().get(f"/bookings/{booking.reference}/receipts/{numbers[1]}/")
    assert stranger.status_code == 404


def test_late_cancel_shows_what_the_property_keeps(
    client: Client, room: Room, today: date, policy: PaymentPolicy, staff: User
) -> None:
    # Arriving tomorrow: inside the 48 h, so the first night (100 + 2 x 2.50) is kept.
    booking = page_book(client, room, (today + timedelta(days=1), today + timedelta(days=3)))
    desk_payment_then_confirm(
        reference=booking.reference, actor=staff, amount=Decimal("210"), method="cash"
    )
    asked = client.get(f"/bookings/{booking.reference}/cancel/").content.decode()
    assert 'refunds <strong class="refund-now">105.00 EUR</strong> of the 210.00 EUR' in asked
    assert "the property keeps 105.00 EUR" in asked
    done = client.post(f"/bookings/{booking.reference}/cancel/", follow=True).content.decode()
    assert "A refund of 105.00 EUR is due to you at the front desk" in done
    (due,) = Payment.objects.filter(booking=booking, purpose="refund", status="due_at_desk")
    assert due.amount == Decimal("105")
    assert not LedgerEntry.objects.filter(kind=EntryKind.REFUNDED).exists()


def test_cancelled_booking_cannot_be_cancelled_again_and_says_so(
    client: Client, room: Room, stay: tuple[date, date]
) -> None:
    booking = page_book(client, room, stay)
    client.post(f"/bookings/{booking.reference}/cancel/")
    page = client.get(f"/bookings/{booking.reference}/cancel/").content.decode()
    assert "it cannot be cancelled here" in page
    again = client.post(f"/bookings/{booking.reference}/cancel/", follow=True)
    assert "it cannot become cancelled" in again.content.decode()
