"""Managers racing to add overlapping seasons: exactly one is stored, on both engines.

Real threads on the real database: the room type's row lock (PostgreSQL) or the IMMEDIATE
transaction (SQLite) serialises the overlap check and the insert."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest

from innkeeper.rooms.models import RateSeason, RoomType
from innkeeper.rooms.rates_services import season_create
from innkeeper.testing.race import race

pytestmark = [pytest.mark.integrity, pytest.mark.django_db(transaction=True)]
RACERS = 6


def test_overlapping_seasons_added_at_once_only_one_holds(room_type: RoomType) -> None:
    start = date(2030, 7, 1)

    def add(index: int) -> str:
        season_create(
            actor=None,
            room_type_id=room_type.pk,
            name=f"Summer {index}",
            first_night=start + timedelta(days=index),
            last_night=start + timedelta(days=30 + index),
            nightly_rate=Decimal("150"),
        )
        return "created"

    outcomes = race(add, RACERS)
    assert outcomes == Counter({"created": 1, "season_overlap": RACERS - 1})
    assert RateSeason.objects.count() == 1
