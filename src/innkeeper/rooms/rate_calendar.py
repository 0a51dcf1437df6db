"""A room type's month at a glance: each night's rate (as `stay_quote` prices it) and the
stay rules on each date. Reads only, two queries whatever the month.

The rates are `rooms.rates.night_price`'s, the very function `stay_quote` sums."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from innkeeper.core.errors import NotFound
from innkeeper.rooms.models import RoomType
from innkeeper.rooms.rates import NightPrice, RoomTypeRates, night_price, rates_for


@dataclass(frozen=True)
class CalendarDay:
    day: date
    price: NightPrice  # for the guests the rate includes (no extra-person charge)
    min_stay: int | None
    max_stay: int | None
    closed_to_arrival: bool
    closed_to_departure: bool
    closed: bool

    @property
    def rate(self) -> Decimal:
        return self.price.rate


@dataclass(frozen=True)
class RateCalendar:
    room_type: RoomType
    month: date  # its first day
    weeks: list[list[CalendarDay | None]]  # Monday first; None pads the first and last week

    @property
    def previous(self) -> date:
        return (self.month - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return (self.month + timedelta(days=31)).replace(day=1)


def _day(rates: RoomTypeRates, day: date) -> CalendarDay:
    rules = [rule for rule in rates.rules if rule.first_date <= day <= rule.last_date]
    mins = [rule.min_stay for rule in rules if rule.min_stay]
    maxes = [rule.max_stay for rule in rules if rule.max_stay]
    return CalendarDay(
        day=day,
        price=night_price(rates, day, guests=1),
        min_stay=max(mins) if mins else None,
        max_stay=min(maxes) if maxes else None,
        closed_to_arrival=any(rule.closed_to_arrival for rule in rules),
        closed_to_departure=any(rule.closed_to_departure for rule in rules),
        closed=any(rule.closed for rule in rules),
    )


def rate_calendar(*, room_type_id: int, month: date) -> RateCalendar:
    room_type = (
        RoomType.objects.select_related("property", "rate_plan").filter(pk=room_type_id).first()
    )
    if room_type is None:
        raise NotFound(f"No room type with id {room_type_id}.", code="room_type_not_found")
    first = month.replace(day=1)
    days_in_month = calendar.monthrange(first.year, first.month)[1]
    last = first + timedelta(days=days_in_month - 1)
    rates = rates_for([room_type], first=first, last=last)[room_type.pk]
    days: list[CalendarDay | None] = [None] * first.weekday()
    days += [_day(rates, first + timedelta(days=n)) for n in range(days_in_month)]
    days += [None] * (-len(days) % 7)
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
    return RateCalendar(room_type=room_type, month=first, weeks=weeks)
