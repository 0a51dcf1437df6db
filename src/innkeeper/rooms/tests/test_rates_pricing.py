"""`stay_quote` sums each night's rate: seasons, weekends, extra persons, stay discounts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from innkeeper.rooms.models import Property, RatePlan, RateSeason, RoomType, StayDiscount
from innkeeper.rooms.pricing import Quote, stay_quote
from innkeeper.testing.rates import next_weekday, price_everything

pytestmark = pytest.mark.django_db
MONDAY = date(2030, 6, 3)


def _quote(room_type: RoomType, check_in: date, nights: int, guests: int = 2) -> Quote:
    return stay_quote(
        prop=room_type.property,
        room_type=room_type,
        check_in=check_in,
        check_out=check_in + timedelta(days=nights),
        guests=guests,
    )


def test_without_a_plan_every_night_is_the_base_rate(room_type: RoomType) -> None:
    quote = _quote(room_type, MONDAY, 7)
    assert quote.room_subtotal == Decimal("700.00") == quote.total
    assert {n.source for n in quote.nights} == {"base"}


def test_everything_at_once_matches_the_sum_by_hand(room_type: RoomType) -> None:
    priced = price_everything(room_type, after=MONDAY)
    quote = stay_quote(
        prop=room_type.property,
        room_type=room_type,
        check_in=priced.check_in,
        check_out=priced.check_out,
        guests=priced.guests,
    )
    assert [n.amount for n in quote.nights] == [
        Decimal(x) for x in ("115", "135", "135", "165", "165")
    ]
    assert quote.los_discount == Decimal("71.50") and quote.los_discount_percent == 10
    assert quote.room_subtotal == Decimal("643.50")
    assert quote.first_night == Decimal("103.50")  # 115 less 10%
    # Two guests: no extra-person charge; four nights: the 5% discount only.
    quote = stay_quote(
        prop=room_type.property,
        room_type=room_type,
        check_in=priced.check_in,
        check_out=priced.check_in + timedelta(days=4),
        guests=2,
    )
    assert quote.room_subtotal == Decimal("490.00") - Decimal("24.50")


def test_a_season_weekend_rate_and_custom_weekend_nights(room_type: RoomType) -> None:
    RatePlan.objects.create(room_type=room_type, weekend_rate=Decimal("90"), weekend_nights="6")
    sunday = next_weekday(MONDAY, 6)
    friday = next_weekday(MONDAY, 4)
    assert _quote(room_type, friday, 1).nights[0].source == "base"
    assert _quote(room_type, sunday, 1).room_subtotal == Decimal("90.00")
    RateSeason.objects.create(
        room_type=room_type,
        name="High",
        first_night=sunday - timedelta(days=2),
        last_night=sunday,
        nightly_rate=Decimal("200"),
        weekend_rate=Decimal("250"),
    )
    nights = _quote(room_type, friday, 3).nights
    assert [(n.source, n.rate) for n in nights] == [
        ("season", Decimal("200")),
        ("season", Decimal("200")),
        ("season_weekend", Decimal("250")),
    ]


def test_the_best_stay_discount_applies_once(room_type: RoomType) -> None:
    StayDiscount.objects.create(room_type=room_type, min_nights=3, percent=Decimal("5"))
    StayDiscount.objects.create(room_type=room_type, min_nights=7, percent=Decimal("12.5"))
    assert _quote(room_type, MONDAY, 2).los_discount == 0
    assert _quote(room_type, MONDAY, 3).room_subtotal == Decimal("285.00")
    assert _quote(room_type, MONDAY, 10).room_subtotal == Decimal("875.00")


def test_rounding_is_the_currency_minor_unit(hotel: Property) -> None:
    yen = Property.objects.create(name="Ryokan", slug="ryokan", currency="JPY")
    kind = RoomType.objects.create(property=yen, name="Tatami", capacity=2, nightly_rate=9999)
    StayDiscount.objects.create(room_type=kind, min_nights=2, percent=Decimal("3.33"))
    quote = _quote(kind, MONDAY, 3)
    assert quote.los_discount == Decimal("999")
    assert quote.room_subtotal == Decimal("28998")
