"""Realistic data: properties of 20-500 rooms, two years of stays at ~70% occupancy.

Stays are generated per room as a sequence (stay, gap, stay, ...), so active stays of one
room never overlap and the exclusion constraint accepts every row. Bookings go in with
PostgreSQL COPY (SQLite, used by the smoke test, gets bulk_create).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from bench.config import Sizes
from innkeeper.accounts.models import Role, User
from innkeeper.accounts.services import token_issue
from innkeeper.bookings.models import BookingStatus as S
from innkeeper.rooms.models import (
    Property,
    RatePlan,
    RateSeason,
    Room,
    RoomType,
    StayDiscount,
    StayRule,
)

ROOM_TYPES = [("Single", 1, Decimal("60.00")), ("Double", 2, Decimal("95.00"))]
ROOM_TYPES += [("Family", 4, Decimal("180.00"))]
STAFF_EMAIL = "bench-desk@innkeeper.local"
BOOKING_COLUMNS = [
    *("reference", "property_id", "room_id", "guest_name", "guest_email", "guest_phone"),
    *("guests", "check_in", "check_out", "nights", "total_price", "currency", "status"),
    *("notes", "cancel_reason", "created_at", "updated_at"),
]


@dataclass
class Dataset:
    today: date
    focus_property_id: int
    room_ids: list[int]
    hot_room_ids: list[int]
    staff_token: str
    properties: int = 0
    bookings: int = 0
    occupancy: float = 0.0
    property_rooms: dict[int, int] = field(default_factory=dict)


def _property_sizes(sizes: Sizes, rng: random.Random) -> list[int]:
    counts = [sizes.focus_rooms]
    while sum(counts) < sizes.rooms:
        left = sizes.rooms - sum(counts)
        pick = rng.randint(sizes.min_rooms, sizes.max_rooms)
        counts.append(left if left < sizes.min_rooms * 2 else min(pick, left))
    return counts


def _create_property(index: int, room_count: int) -> list[Room]:
    prop = Property.objects.create(
        name=f"Bench Hotel {index:03d}", slug=f"bench-{index:03d}", time_zone="UTC"
    )
    types = RoomType.objects.bulk_create(
        RoomType(property=prop, name=name, capacity=cap, nightly_rate=rate)
        for name, cap, rate in ROOM_TYPES
    )
    _create_rates(types, timezone.now().date())
    rooms = [
        Room(property=prop, room_type=types[n % len(types)], number=f"{100 + n}")
        for n in range(room_count)
    ]
    return Room.objects.bulk_create(rooms)


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"))


def _create_rates(types: list[RoomType], today: date) -> None:
    """Rates and stay rules in force over the whole window, as a real property has them:
    a weekend rate and extra persons, summer and year-end seasons, length-of-stay discounts,
    a minimum stay in summer, no arrivals at Christmas, no departures on New Year's Day, a
    maximum stay, and a stop-sell (renovation) of the family rooms (~40 rows a property)."""
    RatePlan.objects.bulk_create(
        RatePlan(
            room_type=t,
            weekend_rate=_cents(t.nightly_rate * Decimal("1.15")),
            base_occupancy=min(t.capacity, 2),
            extra_person_rate=Decimal("20.00"),
        )
        for t in types
    )
    seasons, rules, discounts = [], [], []
    for year in (today.year - 1, today.year, today.year + 1):
        summer = (date(year, 6, 15), date(year, 9, 15))
        year_end = (date(year, 12, 20), date(year + 1, 1, 5))
        for t in types:
            rate = t.nightly_rate
            seasons += [
                RateSeason(
                    room_type=t,
                    name="Summer",
                    first_night=summer[0],
                    last_night=summer[1],
                    nightly_rate=_cents(rate * Decimal("1.4")),
                    weekend_rate=_cents(rate * Decimal("1.5")),
                ),
                RateSeason(
                    room_type=t,
                    name="Year end",
                    first_night=year_end[0],
                    last_night=year_end[1],
                    nightly_rate=_cents(rate * Decimal("1.3")),
                ),
            ]
            rules += [
                StayRule(room_type=t, first_date=summer[0], last_date=summer[1], min_stay=2),
                StayRule(
                    room_type=t,
                    first_date=date(year, 12, 24),
                    last_date=date(year, 12, 25),
                    closed_to_arrival=True,
                ),
                StayRule(
                    room_type=t,
                    first_date=date(year, 1, 1),
                    last_date=date(year, 1, 1),
                    closed_to_departure=True,
                ),
                StayRule(
                    room_type=t,
                    first_date=date(year, 1, 1),
                    last_date=date(year, 12, 31),
                    max_stay=21,
                ),
            ]
        family = types[-1]
        rules.append(
            StayRule(
                room_type=family,
                first_date=date(year, 11, 3),
                last_date=date(year, 11, 12),
                closed=True,
                note="Renovation",
            )
        )
    for t in types:
        discounts += [
            StayDiscount(room_type=t, min_nights=5, percent=Decimal("5")),
            StayDiscount(room_type=t, min_nights=7, percent=Decimal("10")),
        ]
    RateSeason.objects.bulk_create(seasons)
    StayRule.objects.bulk_create(rules)
    StayDiscount.objects.bulk_create(discounts)


def _stays(rng: random.Random, start: date, end: date, occupancy: float) -> Iterator[date]:
    """Alternating check-in dates and check-out dates: stays of 1-7 nights, gaps between."""
    mean_gap = 4.0 * (1 - occupancy) / occupancy  # mean stay is 4 nights
    day = start + timedelta(days=rng.randint(0, 3))
    while True:
        nights = rng.randint(1, 7)
        check_out = day + timedelta(days=nights)
        if check_out > end:
            return
        yield day
        yield check_out
        day = check_out + timedelta(days=round(rng.expovariate(1 / mean_gap)))


def _status(rng: random.Random, check_in: date, check_out: date, today: date) -> str:
    if rng.random() < 0.04:
        return S.CANCELLED
    if check_out <= today:
        return S.CHECKED_OUT
    return S.CHECKED_IN if check_in <= today else S.CONFIRMED


def _booking_rows(
    rooms: list[Room], sizes: Sizes, today: date, rng: random.Random
) -> Iterator[tuple[object, ...]]:
    start = today - timedelta(days=sizes.days // 2)
    end = today + timedelta(days=sizes.days // 2)
    now = timezone.now()
    serial = 0
    for room in rooms:
        rate = ROOM_TYPES[[t[1] for t in ROOM_TYPES].index(room.room_type.capacity)][2]
        stays = _stays(rng, start, end, sizes.occupancy)
        for check_in, check_out in zip(stays, stays, strict=False):
            serial += 1
            nights = (check_out - check_in).days
            status = _status(rng, check_in, check_out, today)
            yield (
                f"GB-{serial:09d}", room.property_id, room.pk, f"Guest {serial}",
                f"guest{serial}@example.com", "", 1, check_in, check_out, nights,
                rate * nights, "EUR", status, "", "", now, now,
            )  # fmt: skip


def _insert_bookings(rows: Iterator[tuple[object, ...]]) -> int:
    count = 0
    if connection.vendor == "postgresql":
        columns = ", ".join(BOOKING_COLUMNS)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY bookings_booking ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            cursor.execute("ANALYZE")
        return count
    # SQLite: plain executemany (model instances would take minutes for the default size);
    # values in the text forms Django itself stores there.
    insert = (
        f"INSERT INTO bookings_booking ({', '.join(BOOKING_COLUMNS)}) "  # noqa: S608 (constants)
        f"VALUES ({', '.join(['%s'] * len(BOOKING_COLUMNS))})"
    )
    with connection.cursor() as cursor:
        batch: list[list[Any]] = []
        for row in rows:
            batch.append([_sqlite_value(value) for value in row])
            if len(batch) == 5000:
                cursor.executemany(insert, batch)
                count, batch = count + len(batch), []
        cursor.executemany(insert, batch)
    return count + len(batch)


def _sqlite_value(value: object) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def _staff_token() -> str:
    staff, _ = User.objects.get_or_create(
        email=STAFF_EMAIL, defaults={"role": Role.FRONT_DESK, "name": "Bench desk"}
    )
    return token_issue(user=staff).token


def generate(sizes: Sizes, *, seed: int = 7) -> Dataset:
    """Fill an empty, migrated database. Returns what the scenarios need to aim at."""
    rng = random.Random(seed)
    today = timezone.now().date()
    all_rooms: list[Room] = []
    per_property: dict[int, int] = {}
    for index, count in enumerate(_property_sizes(sizes, rng)):
        rooms = _create_property(index, count)
        per_property[rooms[0].property_id] = count
        all_rooms.extend(rooms)
    for room in all_rooms:  # bulk_create keeps the room_type instances we passed in
        assert room.room_type.capacity >= 1
    booked = _insert_bookings(_booking_rows(all_rooms, sizes, today, rng))
    focus_id = all_rooms[0].property_id
    nights = _booked_nights()
    return Dataset(
        today=today,
        focus_property_id=focus_id,
        room_ids=[room.pk for room in all_rooms],
        hot_room_ids=[room.pk for room in all_rooms[:4]],
        staff_token=_staff_token(),
        properties=len(per_property),
        bookings=booked,
        occupancy=round(nights / (len(all_rooms) * (sizes.days // 2) * 2), 3),
        property_rooms=per_property,
    )


def _booked_nights() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(nights), 0) FROM bookings_booking")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def midnight_epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
