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
    """Rates and rules of `room_types` touching dates [first, last] (both included): at most
    four queries whatever the number of room types; none for a plan already loaded with
    `select_related("rate_plan")`."""
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
    seasons = RateSeason.objects.filter(
        room_type_id__in=ids, first_night__lte=last, last_night__gte=first
    )
    for season in seasons.order_by("first_night"):
        found[season.room_type_id].seasons.append(season)
    for discount in StayDiscount.objects.filter(room_type_id__in=ids).order_by("min_nights"):
        found[discount.room_type_id].discounts.append(discount)
    rules = StayRule.objects.filter(
        room_type_id__in=ids, first_date__lte=last, last_date__gte=first
    )
    for rule in rules.order_by("first_date", "id"):
        found[rule.room_type_id].rules.append(rule)
    return found


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
