"""GET /api/v1/availability: the response shape the benchmark drives (both engines)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from innkeeper.bookings.models import Booking
from innkeeper.rooms.models import Room


@pytest.mark.django_db
def test_availability_lists_free_rooms_with_prices(
    anon: Any, room: Room, make_booking: Callable[..., Booking], stay: tuple[date, date]
) -> None:
    free = Room.objects.create(property=room.property, room_type=room.room_type, number="102")
    make_booking()
    response = anon.get(
        "/api/v1/availability",
        check_in=stay[0],
        check_out=stay[1],
        guests=2,
        property_id=room.property_id,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["nights"] == 3
    assert body["rooms"] == [
        {
            "room_id": free.pk,
            "number": "102",
            "property_id": room.property_id,
            "room_type_id": room.room_type_id,
            "room_type": "Double",
            "capacity": 2,
            "nightly_rate": "100.00",
            "nights": 3,
            "los_discount": "0.00",
            "room_subtotal": "300.00",
            "vat_percent": "0.00",
            "vat_amount": "0.00",
            "tourist_tax": "0.00",
            "total_price": "300.00",
            "deposit_due": "0.00",
            "currency": "EUR",
        }
    ]


@pytest.mark.django_db
def test_availability_rejects_unknown_property_and_bad_dates(anon: Any, today: date) -> None:
    later = today + timedelta(days=3)
    missing = anon.get("/api/v1/availability", check_in=later, check_out=later, property_id=999)
    assert missing.status_code in (404, 422)
    backwards = anon.get(
        "/api/v1/availability", check_in=later, check_out=later - timedelta(days=1)
    )
    assert backwards.status_code == 422
    assert backwards.json()["code"] == "invalid_dates"
