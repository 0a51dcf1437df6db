"""`innkeeper rates quote|close|reopen` as a real subprocess on the test database."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from innkeeper.bookings.services import booking_create
from innkeeper.core.models import AuditEvent
from innkeeper.rooms.models import RateSeason, Room, RoomType, StayRule
from innkeeper.testing.cli import innkeeper
from innkeeper.testing.rates import price_everything

pytestmark = pytest.mark.django_db(transaction=True)


def test_quote_shows_each_night_and_where_its_rate_came_from(
    room: Room, room_type: RoomType, today: date
) -> None:
    priced = price_everything(room_type, after=today + timedelta(days=7))
    args = ["rates", "quote", str(room.pk), str(priced.check_in), str(priced.check_out)]
    shown = innkeeper(*args, "--guests", "3", "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert [n["source"] for n in data["nights"]] == [
        "base",
        "weekend",
        "weekend",
        "season",
        "season",
    ]
    assert (data["los_discount"], data["total"]) == ("71.50", "643.50")
    text = innkeeper(*args, "--guests", "3")
    assert "(season Festival)" in text.stdout and "total 643.50 EUR" in text.stdout

    # A booking made at these rates, quoted after the season went: the stored price beside.
    booking = booking_create(
        room_id=room.pk,
        check_in=priced.check_in,
        check_out=priced.check_out,
        guests=3,
        created_by=None,
        guest_email="guest@example.com",
    )
    RateSeason.objects.all().delete()
    later = json.loads(innkeeper("rates", "quote", "--booking", booking.reference, "--json").stdout)
    # 100 + 120 + 120 + 100 + 100 + 5 x 15 = 615, less 10% = 553.50.
    assert Decimal(later["booked"]["total"]) == Decimal("643.50")
    assert later["total"] == "553.50"
    assert [n["source"] for n in later["nights"]][3:] == ["base", "base"]
    assert innkeeper("rates", "quote", "--booking", "IK-NOPE").returncode == 1
    assert innkeeper("rates", "quote", str(room.pk)).returncode == 2


def test_close_then_reopen_a_date_range(
    room: Room, room_type: RoomType, stay: tuple[date, date]
) -> None:
    closed = innkeeper(
        "rates", "close", str(room_type.pk), str(stay[0]), str(stay[1]), "--note", "Flood"
    )
    assert closed.returncode == 0, closed.stderr
    rule = StayRule.objects.get(pk=int(closed.stdout))
    assert rule.closed and rule.note == "Flood"
    quote = innkeeper("rates", "quote", str(room.pk), str(stay[0]), str(stay[1]), "--json")
    assert json.loads(quote.stdout)["rules_broken"][0]["code"] == "closed"
    event = AuditEvent.objects.get(action="rates.rule_created")
    assert event.source == "cli" and event.actor_label

    assert innkeeper("rates", "reopen", str(rule.pk)).returncode == 0
    assert not StayRule.objects.exists()
    again = innkeeper("rates", "reopen", str(rule.pk))
    assert again.returncode == 1 and "No rule" in again.stderr
    bad = innkeeper("rates", "close", str(room_type.pk), "2030-02-30", "2030-03-01")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
    backwards = innkeeper("rates", "close", str(room_type.pk), "2030-03-02", "2030-03-01")
    assert backwards.returncode == 2 and "before" in backwards.stderr
