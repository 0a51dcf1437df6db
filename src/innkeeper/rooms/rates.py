"""A room type's rates and stay rules for some dates, loaded for many room types in a constant
number of queries, and what they say about one night (its rate) or one stay (its rule breaks).

`rooms.pricing.stay_quote` sums the nights; availability and the booking ask `stay_breaks`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db import connection

from innkeeper.rooms.models import (
    DEFAULT_WEEKEND_NIGHTS,
    RatePlan,
    RateSeason,
    RoomType,
    StayDiscount,
    StayRule,
)


class RuleCode(StrEnum):
    """Why a stay is not sold: stable codes in the availability check and booking errors."""

    MIN_STAY = "min_stay"
    MAX_STAY = "max_stay"
    CLOSED_TO_ARRIVAL = "closed_to_arrival"
    CLOSED_TO_DEPARTURE = "closed_to_departure"
    CLOSED = "closed"


@dataclass(frozen=True)
class RuleBreak:
    code: RuleCode
    detail: str


@dataclass(frozen=True)
class NightPrice:
    """One night of a stay: the room's rate that night, the extra-person charge, and where
    the rate came from (`base`, `weekend`, `season`, `season_weekend`; `season` names it)."""

    night: date
    rate: Decimal
    extra: Decimal
    source: str
    season: str = ""

    @property
    def amount(self) -> Decimal:
        return self.rate + self.extra


@dataclass
class RoomTypeRates:
    """What pricing and the rules need about one room type for a window of dates."""

    room_type: RoomType
    plan: RatePlan | None = None
    seasons: list[RateSeason] = field(default_factory=list)
    discounts: list[StayDiscount] = field(default_factory=list)
    rules: list[StayRule] = field(default_factory=list)


def rates_for(
    room_types: Iterable[RoomType], *, first: date, last: date
) -> dict[int, RoomTypeRates]:
    """Rates and rules of `room_types` touching dates [first, last] (both included): two
    queries whatever the number of room types (plans, then seasons, discounts and rules in
    one), one when the plans came with `select_related("rate_plan")`."""
    found = {rt.pk: RoomTypeRates(room_type=rt) for rt in room_types}
    if not found:
        return found
    ids = list(found)
    unknown = []
    for rates in found.values():
        if RoomType.rate_plan.is_cached(rates.room_type):
            rates.plan = getattr(rates.room_type, "rate_plan", None)
        else:
            unknown.append(rates.room_type.pk)
    if unknown:
        for plan in RatePlan.objects.filter(room_type_id__in=unknown):
            found[plan.room_type_id].plan = plan
    for row in _rows(ids, first, last):
        _attach(found[row[1]], row)
    return found


# Seasons, discounts and rules in one UNION ALL (one round trip instead of three), in raw SQL:
# compiling the same union through the ORM cost more than the two saved round trips. Columns:
# kind, room type, id, two dates, two amounts, two numbers, three flags, a text.
UNION_SQL = """
SELECT 'rule', room_type_id, id, first_date, last_date, NULL, NULL, min_stay, max_stay,
       closed_to_arrival, closed_to_departure, closed, note
  FROM {rules} WHERE room_type_id IN ({ids}) AND first_date <= %s AND last_date >= %s
UNION ALL
SELECT 'season', room_type_id, id, first_night, last_night, nightly_rate, weekend_rate, NULL,
       NULL, FALSE, FALSE, FALSE, name
  FROM {seasons} WHERE room_type_id IN ({ids}) AND first_night <= %s AND last_night >= %s
UNION ALL
SELECT 'discount', room_type_id, id, NULL, NULL, percent, NULL, min_nights, NULL, FALSE, FALSE,
       FALSE, ''
  FROM {discounts} WHERE room_type_id IN ({ids})
"""


def _rows(ids: list[int], first: date, last: date) -> list[tuple[Any, ...]]:
    marks = ", ".join(["%s"] * len(ids))
    sql = UNION_SQL.format(
        rules=StayRule._meta.db_table,
        seasons=RateSeason._meta.db_table,
        discounts=StayDiscount._meta.db_table,
        ids=marks,
    )
    window = [
        last.isoformat(),
        first.isoformat(),
    ]  # starts on or before last, ends on or after first
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *window, *ids, *window, *ids])
        rows = cursor.fetchall()
    return sorted(rows, key=lambda row: (row[0], str(row[3]), row[7] or 0, row[2]))


def _day(value: Any) -> date:
    """PostgreSQL gives dates; SQLite gives the ISO text it stores."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _cents(amount: Any) -> Decimal | None:
    """Amounts as the model gives them (two places; SQLite returns a number, not a Decimal)."""
    return None if amount is None else Decimal(str(amount)).quantize(Decimal("0.01"))


def _attach(rates: RoomTypeRates, row: tuple[Any, ...]) -> None:
    kind, type_id, pk, start, end, amount, amount2, num, num2, cta, ctd, closed, text = row
    rate, rate2 = _cents(amount) or Decimal(0), _cents(amount2)
    if kind == "season":
        rates.seasons.append(
            RateSeason(
                pk=pk,
                room_type_id=type_id,
                name=text,
                first_night=_day(start),
                last_night=_day(end),
                nightly_rate=rate,
                weekend_rate=rate2,
            )
        )
    elif kind == "discount":
        rates.discounts.append(
            StayDiscount(pk=pk, room_type_id=type_id, min_nights=num, percent=rate)
        )
    else:
        rates.rules.append(
            StayRule(
                pk=pk,
                room_type_id=type_id,
                first_date=_day(start),
                last_date=_day(end),
                min_stay=num,
                max_stay=num2,
                closed_to_arrival=bool(cta),
                closed_to_departure=bool(ctd),
                closed=bool(closed),
                note=text,
            )
        )


def stay_rates(room_type: RoomType, check_in: date, check_out: date) -> RoomTypeRates:
    """One room type's rates and rules for one stay (the departure day included: rules)."""
    return rates_for([room_type], first=check_in, last=check_out)[room_type.pk]


def nights_of(check_in: date, check_out: date) -> list[date]:
    return [check_in + timedelta(days=n) for n in range((check_out - check_in).days)]


def _season_on(rates: RoomTypeRates, night: date) -> RateSeason | None:
    for season in rates.seasons:
        if season.first_night <= night <= season.last_night:
            return season
    return None


def night_price(rates: RoomTypeRates, night: date, guests: int) -> NightPrice:
    """The price of `night` for `guests`: a season's rate, else the plan's weekend rate on
    weekend nights, else the base rate (`RoomType.nightly_rate`); plus the extra-person
    charge for each guest above the plan's base occupancy."""
    plan = rates.plan
    weekend_nights = plan.weekend_nights if plan is not None else DEFAULT_WEEKEND_NIGHTS
    weekend = str(night.weekday()) in weekend_nights
    season = _season_on(rates, night)
    extra = Decimal(0)
    if plan is not None and plan.base_occupancy and guests > plan.base_occupancy:
        extra = plan.extra_person_rate * (guests - plan.base_occupancy)
    if season is not None:
        if weekend and season.weekend_rate is not None:
            return NightPrice(night, season.weekend_rate, extra, "season_weekend", season.name)
        return NightPrice(night, season.nightly_rate, extra, "season", season.name)
    if weekend and plan is not None and plan.weekend_rate is not None:
        return NightPrice(night, plan.weekend_rate, extra, "weekend")
    return NightPrice(night, rates.room_type.nightly_rate, extra, "base")


def stay_discount(rates: RoomTypeRates, nights: int) -> StayDiscount | None:
    """The largest length-of-stay discount a stay of `nights` qualifies for, if any."""
    best = None
    for discount in rates.discounts:
        if discount.min_nights <= nights and (best is None or discount.percent > best.percent):
            best = discount
    return best


def _on(rule: StayRule, day: date) -> bool:
    return rule.first_date <= day <= rule.last_date


def stay_breaks(rates: RoomTypeRates, check_in: date, check_out: date) -> list[RuleBreak]:
    """Every stay rule the stay breaks, in a stable order (empty: the stay may be sold)."""
    nights = (check_out - check_in).days
    arriving = [rule for rule in rates.rules if _on(rule, check_in)]
    breaks: list[RuleBreak] = []
    stop_sell = [rule for rule in rates.rules if rule.closed]
    closed = [d for d in nights_of(check_in, check_out) if any(_on(r, d) for r in stop_sell)]
    if closed:
        breaks.append(RuleBreak(RuleCode.CLOSED, f"Not sold on {closed[0]} (closed)."))
    if any(rule.closed_to_arrival for rule in arriving):
        breaks.append(RuleBreak(RuleCode.CLOSED_TO_ARRIVAL, f"No arrivals on {check_in}."))
    if any(rule.closed_to_departure for rule in rates.rules if _on(rule, check_out)):
        breaks.append(RuleBreak(RuleCode.CLOSED_TO_DEPARTURE, f"No departures on {check_out}."))
    least = max((rule.min_stay for rule in arriving if rule.min_stay), default=None)
    if least is not None and nights < least:
        breaks.append(
            RuleBreak(
                RuleCode.MIN_STAY, f"Stays arriving on {check_in} are at least {least} nights."
            )
        )
    most = min((rule.max_stay for rule in arriving if rule.max_stay), default=None)
    if most is not None and nights > most:
        breaks.append(
            RuleBreak(RuleCode.MAX_STAY, f"Stays arriving on {check_in} are at most {most} nights.")
        )
    return breaks
