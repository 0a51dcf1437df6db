"""Rules about stays that the API, the pages and the admin all share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from innkeeper.core.errors import InvalidInput
from innkeeper.rooms.models import Property
from innkeeper.rooms.rates import RoomTypeRates, stay_breaks


@dataclass(frozen=True)
class Stay:
    check_in: date
    check_out: date

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days


def property_today(prop: Property, now: datetime | None = None) -> date:
    """Today's date where the property is, which is what 'in the past' means for a stay."""
    return (now or timezone.now()).astimezone(prop.zone).date()


def validate_stay(prop: Property, check_in: date, check_out: date) -> Stay:
    if check_out <= check_in:
        raise InvalidInput(
            "check_out must be after check_in.", code="invalid_dates", extra={"field": "check_out"}
        )
    today = property_today(prop)
    if check_in < today:
        raise InvalidInput(
            f"check_in {check_in} is in the past (today is {today} at {prop.name}).",
            code="date_in_past",
            extra={"field": "check_in"},
        )
    stay = Stay(check_in, check_out)
    if stay.nights > settings.BOOKING_MAX_NIGHTS:
        raise InvalidInput(
            f"Stays are limited to {settings.BOOKING_MAX_NIGHTS} nights.",
            code="stay_too_long",
            extra={"field": "check_out"},
        )
    horizon = today + timedelta(days=settings.BOOKING_HORIZON_DAYS)
    if check_out > horizon:
        raise InvalidInput(
            f"Bookings open {settings.BOOKING_HORIZON_DAYS} days ahead (until {horizon}).",
            code="beyond_horizon",
            extra={"field": "check_in"},
        )
    return stay


class StayRuleBroken(InvalidInput):
    """A stay the room type's stay rules do not sell (422): `code` is the first broken rule's
    (`min_stay`, `max_stay`, `closed_to_arrival`, `closed_to_departure`, `closed`), and
    `reasons` lists every one, with the same codes as the availability check."""

    title = "Stay rule"


def check_stay_rules(rates: RoomTypeRates, check_in: date, check_out: date) -> None:
    breaks = stay_breaks(rates, check_in, check_out)
    if not breaks:
        return
    first = breaks[0]
    leaving = first.code == "closed_to_departure"
    raise StayRuleBroken(
        " ".join(b.detail for b in breaks),
        code=first.code.value,
        extra={
            "field": "check_out" if leaving else "check_in",
            "reasons": [{"code": b.code.value, "detail": b.detail} for b in breaks],
        },
    )
