"""`overlapping_active` and the availability search agree with the half-open stay rule on
both engines (on PostgreSQL they use the exclusion constraint's daterange expression)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from innkeeper.bookings.models import Booking
from innkeeper.bookings.selectors import availability_search, overlapping_active
from innkeeper.bookings.services import booking_cancel
from innkeeper.rooms.models import Room

pytestmark = pytest.mark.integrity


def _days(start: date, first: int, last: int) -> tuple[date, date]:
    return start + timedelta(days=first), start + timedelta(days=last)


@pytest.mark.django_db
def test_overlap_is_half_open_and_ignores_cancelled(
    make_booking: Callable[..., Booking], stay: tuple[date, date]
) -> None:
    booking = make_booking()  # [d, d+3)
    start = stay[0]
    cases = {
        (-2, 0): False,  # ends on arrival day: back-to-back is fine
        (3, 5): False,  # starts on departure day
        (-1, 1): True,
        (2, 4): True,
        (1, 2): True,  # inside
        (-1, 4): True,  # around
    }
    for (first, last), expected in cases.items():
        check_in, check_out = _days(start, first, last)
        found = overlapping_active(check_in=check_in, check_out=check_out)
        assert found.filter(pk=booking.pk).exists() is expected, (first, last)
    booking_cancel(reference=booking.reference, actor=None)
    assert not overlapping_active(check_in=stay[0], check_out=stay[1]).exists()


@pytest.mark.django_db
def test_availability_search_hides_only_overlapping_rooms(
    room: Room, make_booking: Callable[..., Booking], stay: tuple[date, date]
) -> None:
    other = Room.objects.create(property=room.property, room_type=room.room_type, number="102")
    make_booking()
    ids = [a.room.pk for a in availability_search(check_in=stay[0], check_out=stay[1], guests=2)]
    assert ids == [other.pk]
    after = availability_search(check_in=stay[1], check_out=stay[1] + timedelta(days=2), guests=2)
    assert sorted(a.room.pk for a in after) == sorted([room.pk, other.pk])
    assert all(a.nights == 2 for a in after)
