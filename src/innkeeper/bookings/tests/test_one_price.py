"""One price everywhere: the availability quote is exactly what the booking made from it stores
(issue 13 §1: with a tourist tax the search said 285.00 and the booking stored 300.00)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from innkeeper.bookings.models import Booking
from innkeeper.conftest import ApiClient
from innkeeper.notifications.emails import render_booking_email
from innkeeper.rooms.models import PaymentPolicy, Room, RoomType

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
