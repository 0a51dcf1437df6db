"""Rates for tests: one room type priced by every rule at once, with dates fixed by weekday."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from innkeeper.rooms.models import RatePlan, RateSeason, RoomType, StayDiscount


def next_weekday(start: date, weekday: int) -> date:
    """The first date on or after `start` that is `weekday` (Monday 0)."""
    return start + timedelta(days=(weekday - start.weekday()) % 7)


@dataclass(frozen=True)
class PricedStay:
    check_in: date  # a Thursday
    check_out: date  # five nights later, a Tuesday
    guests: int


def price_everything(room_type: RoomType, *, after: date) -> PricedStay:
    """Base 100.00; Friday and Saturday nights 120.00; a "Festival" season on the Sunday and
    Monday nights at 150.00; 15.00 a night per guest above two; 10% off from five nights.
    A stay of three guests arriving the Thursday for five nights then costs, by hand:
    100 + 120 + 120 + 150 + 150 = 640, plus 5 x 15 extra = 715, less 10% (71.50) = 643.50."""
    room_type.nightly_rate = Decimal("100.00")
    room_type.capacity = 3
    room_type.save()
    thursday = next_weekday(after, 3)
    RatePlan.objects.create(
        room_type=room_type,
        weekend_rate=Decimal("120.00"),
        weekend_nights="45",
        base_occupancy=2,
        extra_person_rate=Decimal("15.00"),
    )
    RateSeason.objects.create(
        room_type=room_type,
        name="Festival",
        first_night=thursday + timedelta(days=3),
        last_night=thursday + timedelta(days=4),
        nightly_rate=Decimal("150.00"),
        weekend_rate=Decimal("180.00"),
    )
    StayDiscount.objects.create(room_type=room_type, min_nights=5, percent=Decimal("10"))
    StayDiscount.objects.create(room_type=room_type, min_nights=3, percent=Decimal("5"))
    return PricedStay(check_in=thursday, check_out=thursday + timedelta(days=5), guests=3)
