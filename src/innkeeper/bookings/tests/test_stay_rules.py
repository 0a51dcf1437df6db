"""Stay rules in availability, in the per-room check (reason codes) and in the booking (422)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from innkeeper.bookings.models import Booking
from innkeeper.bookings.selectors import availability_search
from innkeeper.conftest import ApiClient
from innkeeper.rooms.models import RatePlan, RateSeason, Room, RoomType, StayDiscount, StayRule

pytestmark = pytest.mark.django_db


def _rule(room_type: RoomType, first: date, last: date, **fields: Any) -> StayRule:
    return StayRule.objects.create(room_type=room_type, first_date=first, last_date=last, **fields)


def _free(stay: tuple[date, date]) -> set[str]:
    return {
        a.room.number for a in availability_search(check_in=stay[0], check_out=stay[1], guests=1)
    }


# Each rule (on the 3-night `stay` fixture: arrival stay[0], departure stay[1]) and its code.
RULES: dict[str, tuple[int, int, dict[str, Any]]] = {
    # name: (first_date offset from arrival, last_date offset, fields)
    "min_stay": (0, 0, {"min_stay": 4}),
    "max_stay": (0, 0, {"max_stay": 2}),
    "closed_to_arrival": (0, 0, {"closed_to_arrival": True}),
    "closed_to_departure": (3, 3, {"closed_to_departure": True}),
    "closed": (2, 2, {"closed": True}),
}


@pytest.mark.integrity
@pytest.mark.parametrize("code", list(RULES))
def test_each_rule_hides_the_room_says_why_and_refuses_the_booking(
    code: str, room: Room, room_type: RoomType, stay: tuple[date, date], guest_api: ApiClient
) -> None:
    assert _free(stay) == {room.number}
    first, last, fields = RULES[code]
    _rule(room_type, stay[0] + timedelta(days=first), stay[0] + timedelta(days=last), **fields)
    assert _free(stay) == set()

    params = {"check_in": stay[0], "check_out": stay[1], "guests": 2}
    checked = guest_api.get("/api/v1/availability/check", room_id=room.pk, **params)
    assert checked.status_code == 200, checked.content
    body = checked.json()
    assert body["available"] is False
    assert [r["code"] for r in body["rooms"][0]["reasons"]] == [code]
    assert body["rooms"][0]["total_price"] is None

    made = guest_api.post("/api/v1/bookings", {"room_id": room.pk, **params})
    assert made.status_code == 422
    assert made["Content-Type"] == "application/problem+json"
    assert made.json()["code"] == code
    assert [r["code"] for r in made.json()["reasons"]] == [code]
    assert not Booking.objects.exists()


def test_rules_outside_the_stay_change_nothing(
    room: Room, room_type: RoomType, stay: tuple[date, date], guest_api: ApiClient
) -> None:
    before = stay[0] - timedelta(days=1)
    _rule(room_type, before, before, min_stay=9, closed_to_arrival=True)
    _rule(room_type, stay[1], stay[1] + timedelta(days=5), closed=True, min_stay=9)  # departure day
    _rule(room_type, stay[0] + timedelta(days=1), stay[1], closed_to_arrival=True, max_stay=1)
    assert _free(stay) == {room.number}
    params = {"check_in": stay[0], "check_out": stay[1], "guests": 2}
    assert guest_api.post("/api/v1/bookings", {"room_id": room.pk, **params}).status_code == 201


def test_overlapping_rules_the_strictest_wins(
    room: Room, room_type: RoomType, stay: tuple[date, date]
) -> None:
    _rule(room_type, stay[0] - timedelta(days=10), stay[0] + timedelta(days=10), min_stay=2)
    assert _free(stay) == {room.number}  # 3 nights >= 2
    _rule(room_type, stay[0], stay[0], min_stay=5)
    assert _free(stay) == set()


def test_check_a_room_type_lists_each_room_with_its_reasons(
    make_booking: Any, room: Room, room_type: RoomType, stay: tuple[date, date], anon: ApiClient
) -> None:
    Room.objects.create(property=room.property, room_type=room_type, number="102")
    Room.objects.create(property=room.property, room_type=room_type, number="103", is_active=False)
    make_booking()  # room 101
    params = {"check_in": stay[0], "check_out": stay[1], "guests": 3}
    body = anon.get("/api/v1/availability/check", room_type_id=room_type.pk, **params).json()
    reasons = {r["number"]: [x["code"] for x in r["reasons"]] for r in body["rooms"]}
    assert reasons == {
        "101": ["too_many_guests", "occupied"],
        "102": ["too_many_guests"],
        "103": ["inactive", "too_many_guests"],
    }
    params["guests"] = 2
    body = anon.get("/api/v1/availability/check", room_type_id=room_type.pk, **params).json()
    offered = [r["number"] for r in body["rooms"] if r["available"]]
    assert body["available"] is True and offered == ["102"]
    assert body["rooms"][1]["total_price"] == "300.00"


@pytest.mark.parametrize(
    "params",
    [
        {},  # neither a room nor a room type
        {"room_id": 1, "room_type_id": 1},  # both
    ],
)
def test_check_asks_about_exactly_one_thing(
    params: dict[str, int], room: Room, stay: tuple[date, date], anon: ApiClient
) -> None:
    answer = anon.get("/api/v1/availability/check", check_in=stay[0], check_out=stay[1], **params)
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_input"


def test_check_unknown_room_is_404(room: Room, stay: tuple[date, date], anon: ApiClient) -> None:
    answer = anon.get(
        "/api/v1/availability/check", check_in=stay[0], check_out=stay[1], room_id=999999
    )
    assert answer.status_code == 404 and answer.json()["code"] == "room_not_found"


def test_search_queries_stay_constant_with_rates_and_rules(
    hotel: Any, stay: tuple[date, date]
) -> None:
    """Rates and rules of every room type come in a fixed number of queries: properties,
    rooms (with each rate plan joined), then seasons, discounts and rules in one query."""

    def add_type(n: int) -> None:
        kind = RoomType.objects.create(property=hotel, name=f"T{n}", capacity=2, nightly_rate=90)
        RatePlan.objects.create(room_type=kind, weekend_rate=110)
        RateSeason.objects.create(
            room_type=kind, name="S", first_night=stay[0], last_night=stay[1], nightly_rate=99
        )
        StayDiscount.objects.create(room_type=kind, min_nights=2, percent=5)
        _rule(kind, stay[0], stay[1], min_stay=2)
        Room.objects.bulk_create(
            Room(property=hotel, room_type=kind, number=f"{n}-{i}") for i in range(5)
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            found = availability_search(check_in=stay[0], check_out=stay[1], guests=1)
        assert found
        return len(ctx.captured_queries)

    add_type(1)
    few = queries()
    for n in range(2, 12):
        add_type(n)
    assert queries() == few == 3


def test_the_booking_page_says_which_rule_instead_of_pricing_the_stay(
    room: Room, room_type: RoomType, stay: tuple[date, date]
) -> None:
    _rule(room_type, stay[0], stay[0], min_stay=5)
    page = Client().get(
        "/book/",
        {"room": str(room.pk), "check_in": str(stay[0]), "check_out": str(stay[1]), "guests": "2"},
        follow=True,
    )
    assert page.redirect_chain and page.redirect_chain[0][0].startswith("/search/")
    assert "are at least 5 nights" in page.content.decode()
