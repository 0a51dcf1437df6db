from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from innkeeper.bookings.selectors import availability_search
from innkeeper.core.errors import InvalidInput
from innkeeper.rooms.models import Room, RoomType


def _add_rooms(room_type: RoomType, count: int, start: int = 200) -> None:
    Room.objects.bulk_create(
        Room(property=room_type.property, room_type=room_type, number=str(start + i))
        for i in range(count)
    )


def test_free_rooms_exclude_overlaps_only(make_booking, room, room_type, stay):
    _add_rooms(room_type, 2)
    make_booking()
    free = {
        a.room.number for a in availability_search(check_in=stay[0], check_out=stay[1], guests=2)
    }
    assert free == {"200", "201"}
    # Back-to-back: the booked room is free from its check-out day.
    after = availability_search(check_in=stay[1], check_out=stay[1] + timedelta(days=1), guests=1)
    assert room.number in {a.room.number for a in after}


def test_price_capacity_and_cancelled_bookings(make_booking, room, room_type, hotel, stay):
    big = RoomType.objects.create(
        property=hotel, name="Family", capacity=5, nightly_rate=Decimal("180.50")
    )
    Room.objects.create(property=hotel, room_type=big, number="301")
    booking = make_booking()
    found = availability_search(check_in=stay[0], check_out=stay[1], guests=4)
    assert [(a.room.number, a.total_price, a.nights) for a in found] == [
        ("301", Decimal("541.50"), 3)
    ]
    booking.status = "cancelled"
    booking.save()
    found = availability_search(check_in=stay[0], check_out=stay[1], guests=2)
    assert room.number in {a.room.number for a in found}


def test_constant_number_of_queries(room_type, stay):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            availability_search(check_in=stay[0], check_out=stay[1], guests=1)
        return len(ctx.captured_queries)

    _add_rooms(room_type, 5)
    few = queries()
    _add_rooms(room_type, 200, start=1000)
    # Properties, rooms (with their rate plans joined), then seasons, discounts and stay
    # rules in one query (rooms.rates.rates_for).
    assert queries() == few == 3


def test_invalid_dates_rejected(room, stay):
    with pytest.raises(InvalidInput) as error:
        availability_search(check_in=stay[1], check_out=stay[0], guests=1)
    assert error.value.code == "invalid_dates"


def test_availability_api(anon, room, stay):
    response = anon.get(
        "/api/v1/availability", check_in=str(stay[0]), check_out=str(stay[1]), guests=2
    )
    assert response.status_code == 200
    body = response.json()
    assert body["nights"] == 3
    assert body["rooms"][0]["room_id"] == room.pk and body["rooms"][0]["total_price"] == "300.00"
    bad = anon.get("/api/v1/availability", check_in="yesterday", check_out=str(stay[1]))
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    missing = anon.get(
        "/api/v1/availability",
        check_in=str(stay[0]),
        check_out=str(stay[1]),
        guests=2,
        property_id=999,
    )
    assert missing.status_code == 404 and missing.json()["code"] == "property_not_found"
