"""One price everywhere: the availability quote is exactly what the booking made from it stores
(issue 13 §1: with a tourist tax the search said 285.00 and the booking stored 300.00)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking
from innkeeper.conftest import ApiClient
from innkeeper.flows.deposit_paid_then_confirm import desk_payment_then_confirm
from innkeeper.notifications.emails import render_booking_email
from innkeeper.rooms.models import PaymentPolicy, Room, RoomType
from innkeeper.testing.rates import price_everything

pytestmark = pytest.mark.django_db

LINES = ("room_subtotal", "vat_percent", "vat_amount", "tourist_tax", "deposit_due")

# Each policy with the lines a 3-night stay for two at 95.00 a night must show (by hand).
POLICIES: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "no tax": ({}, {"tourist_tax": "0", "vat_amount": "0", "total": "285", "deposit_due": "0"}),
    "tourist tax": (
        {"tourist_tax_per_person_night": "2.50"},
        {"tourist_tax": "15", "vat_amount": "0", "total": "300", "deposit_due": "0"},
    ),
    "vat": (
        {"vat_percent": "10"},
        {"tourist_tax": "0", "vat_amount": "25.91", "total": "285", "deposit_due": "0"},
    ),
    "deposit percent": (
        {
            "tourist_tax_per_person_night": "2.50",
            "deposit_kind": "percentage",
            "deposit_percent": "30",
        },
        {"tourist_tax": "15", "vat_amount": "0", "total": "300", "deposit_due": "90"},
    ),
    "fixed deposit": (
        {"vat_percent": "20", "deposit_kind": "fixed", "deposit_amount": "50"},
        {"tourist_tax": "0", "vat_amount": "47.50", "total": "285", "deposit_due": "50"},
    ),
    "first night": (
        {"tourist_tax_per_person_night": "2.50", "deposit_kind": "first_night"},
        {"tourist_tax": "15", "vat_amount": "0", "total": "300", "deposit_due": "100"},
    ),
}


@pytest.mark.integrity
@pytest.mark.parametrize("name", list(POLICIES))
def test_availability_quote_equals_the_stored_charges(
    name: str, room: Room, room_type: RoomType, stay: tuple[date, date], guest_api: ApiClient
) -> None:
    settings_, expected = POLICIES[name]
    if settings_:
        PaymentPolicy.objects.create(
            property=room.property,
            **{k: Decimal(v) if k != "deposit_kind" else v for k, v in settings_.items()},
        )
    room_type.nightly_rate = Decimal("95.00")
    room_type.save()
    found = guest_api.get(
        "/api/v1/availability", check_in=stay[0], check_out=stay[1], guests=2
    ).json()
    (quoted,) = [r for r in found["rooms"] if r["room_id"] == room.pk]
    assert Decimal(quoted["room_subtotal"]) == Decimal("285")
    for line, amount in expected.items():
        key = "total_price" if line == "total" else line
        assert Decimal(quoted[key]) == Decimal(amount), line

    made = guest_api.post(
        "/api/v1/bookings",
        {"room_id": room.pk, "check_in": stay[0], "check_out": stay[1], "guests": 2},
    )
    assert made.status_code == 201, made.content
    assert Decimal(made.json()["total_price"]) == Decimal(quoted["total_price"])
    booking = Booking.objects.select_related("charges", "room__room_type", "property").get(
        reference=made.json()["reference"]
    )
    charges = booking.charges
    for line in LINES:
        assert getattr(charges, line) == Decimal(quoted[line]), line
    assert charges.total == booking.total_price == Decimal(quoted["total_price"])

    # The guest's email shows the same lines.
    email = str(render_booking_email(booking, "booking_received").body)
    assert f"Total:     {Decimal(quoted['total_price']):.2f} EUR" in email
    assert f"Tourist tax: {Decimal(quoted['tourist_tax']):.2f} EUR" in email
    if charges.deposit_due:
        assert f"Deposit:   {Decimal(quoted['deposit_due']):.2f} EUR" in email


# A five-night stay for three under `price_everything` (seasons, weekend, extra person, LOS
# discount): room 643.50 by hand. With the riad policy (2.50 tax, 10% VAT, first night as
# deposit): tax 2.50 x 3 x 5 = 37.50, VAT 643.50 x 10/110 = 58.50, first night
# (100 + 15) less 10% = 103.50 + 7.50 tax = 111.00.
RATED: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "no policy": (
        {},
        {"room_subtotal": "643.50", "tourist_tax": "0", "total": "643.50", "deposit_due": "0"},
    ),
    "riad policy": (
        {
            "tourist_tax_per_person_night": "2.50",
            "vat_percent": "10",
            "deposit_kind": "first_night",
        },
        {
            "room_subtotal": "643.50",
            "tourist_tax": "37.50",
            "vat_amount": "58.50",
            "total": "681.00",
            "deposit_due": "111.00",
        },
    ),
}


@pytest.mark.integrity
@pytest.mark.parametrize("name", list(RATED))
def test_seasons_weekends_extra_persons_and_discounts_are_one_price(
    name: str,
    room: Room,
    room_type: RoomType,
    today: date,
    guest_api: ApiClient,
    staff: User,
) -> None:
    settings_, expected = RATED[name]
    if settings_:
        PaymentPolicy.objects.create(
            property=room.property,
            **{k: Decimal(v) if k != "deposit_kind" else v for k, v in settings_.items()},
        )
    priced = price_everything(room_type, after=today + timedelta(days=7))
    stay = {"check_in": priced.check_in, "check_out": priced.check_out, "guests": priced.guests}

    found = guest_api.get("/api/v1/availability", **stay).json()
    (quoted,) = [r for r in found["rooms"] if r["room_id"] == room.pk]
    for line, amount in expected.items():
        key = "total_price" if line == "total" else line
        assert Decimal(quoted[key]) == Decimal(amount), line
    assert Decimal(quoted["los_discount"]) == Decimal("71.50")

    checked = guest_api.get("/api/v1/availability/check", room_id=room.pk, **stay).json()
    (one,) = checked["rooms"]
    assert Decimal(one["total_price"]) == Decimal(quoted["total_price"])
    assert [(n["source"], n["season"]) for n in one["night_rates"]] == [
        ("base", ""),
        ("weekend", ""),
        ("weekend", ""),
        ("season", "Festival"),
        ("season", "Festival"),
    ]

    page = (
        Client()
        .get("/book/", {"room": str(room.pk), **{k: str(v) for k, v in stay.items()}})
        .content.decode()
    )
    assert f"{Decimal(quoted['total_price']):.2f} EUR" in page

    made = guest_api.post("/api/v1/bookings", {"room_id": room.pk, **stay})
    assert made.status_code == 201, made.content
    booking = Booking.objects.select_related("charges", "property").get(
        reference=made.json()["reference"]
    )
    for line in (*LINES, "total"):
        key = "total_price" if line == "total" else line
        assert getattr(booking.charges, line) == Decimal(quoted[key]), line
    assert booking.total_price == Decimal(quoted["total_price"])

    email = str(render_booking_email(booking, "booking_received").body)
    assert f"Total:     {Decimal(quoted['total_price']):.2f} EUR" in email

    # The desk takes the whole stay: the receipt states the same stay total.
    desk_payment_then_confirm(
        reference=booking.reference, actor=staff, amount=booking.total_price, method="cash"
    )
    receipt = booking.receipts.get()
    stated = re.search(r"Stay total</th><td>([0-9.]+) EUR", receipt.html)
    assert stated is not None and Decimal(stated[1]) == Decimal(quoted["total_price"])
