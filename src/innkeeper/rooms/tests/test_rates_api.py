"""The staff API for rates and stay rules: managers write (validated, audited), staff read."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from innkeeper.accounts.models import Role
from innkeeper.accounts.services import token_issue
from innkeeper.conftest import ApiClient, make_user
from innkeeper.core.models import AuditEvent
from innkeeper.rooms.models import RateSeason, Room, RoomType, StayRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_api() -> ApiClient:
    return ApiClient(token_issue(user=make_user("boss@example.com", Role.MANAGER)).token)


def _delete(api: ApiClient, path: str) -> int:
    return int(api.client.delete(path, headers=api._headers(None)).status_code)


def _season(first: date, last: date, rate: str = "150.00", name: str = "Summer") -> dict[str, str]:
    return {
        "name": name,
        "first_night": first.isoformat(),
        "last_night": last.isoformat(),
        "nightly_rate": rate,
    }


def test_manager_sets_rates_and_the_next_quote_uses_them(
    manager_api: ApiClient, room: Room, room_type: RoomType, stay: tuple[date, date]
) -> None:
    base = f"/api/v1/room-types/{room_type.pk}"
    plan = manager_api.client.put(
        f"{base}/rate-plan",
        {
            "weekend_rate": "130",
            "weekend_nights": "54",
            "base_occupancy": 1,
            "extra_person_rate": "10.50",
        },
        content_type="application/json",
        headers=manager_api._headers(None),
    )
    assert plan.status_code == 200, plan.content
    assert plan.json()["weekend_nights"] == "45"
    season = manager_api.post(f"{base}/seasons", _season(stay[0], stay[0]))
    assert season.status_code == 201, season.content
    discount = manager_api.post(f"{base}/discounts", {"min_nights": 3, "percent": "10"})
    assert discount.status_code == 201, discount.content
    rule = manager_api.post(
        f"{base}/stay-rules",
        {"first_date": stay[1].isoformat(), "last_date": stay[1].isoformat(), "min_stay": 2},
    )
    assert rule.status_code == 201, rule.content

    sheet = manager_api.get(f"{base}/rates").json()
    assert sheet["base_rate"] == "100.00" and sheet["plan"]["extra_person_rate"] == "10.50"
    assert [s["name"] for s in sheet["seasons"]] == ["Summer"]
    assert [(d["min_nights"], d["percent"]) for d in sheet["discounts"]] == [(3, "10.00")]
    assert sheet["rules"][0]["min_stay"] == 2

    checked = manager_api.get(
        "/api/v1/availability/check",
        room_id=room.pk,
        check_in=stay[0],
        check_out=stay[1],
        guests=2,
    ).json()
    nights = checked["rooms"][0]["night_rates"]
    assert nights[0]["source"] == "season" and nights[0]["rate"] == "150.00"
    assert all(Decimal(n["extra_persons"]) == Decimal("10.50") for n in nights)

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "rates.plan_set",
        "rates.season_created",
        "rates.discount_created",
        "rates.rule_created",
    } <= actions
    event = AuditEvent.objects.get(action="rates.season_created")
    assert event.actor is not None and event.actor.email == "boss@example.com"
    assert event.target == f"room_type:{room_type.pk}" and event.source == "api"
    assert event.details["nightly_rate"] == "150.00"


def test_seasons_of_one_room_type_never_overlap(
    manager_api: ApiClient, room_type: RoomType, hotel: object, stay: tuple[date, date]
) -> None:
    base = f"/api/v1/room-types/{room_type.pk}"
    first = manager_api.post(f"{base}/seasons", _season(stay[0], stay[1]))
    assert first.status_code == 201
    clash = manager_api.post(f"{base}/seasons", _season(stay[1], stay[1] + timedelta(days=3)))
    assert clash.status_code == 422
    assert clash.json()["code"] == "season_overlap"
    assert clash.json()["season_id"] == first.json()["id"]
    # The day after the last night is free; another room type is another plan.
    after = _season(stay[1] + timedelta(days=1), stay[1] + timedelta(days=3), name="Later")
    assert manager_api.post(f"{base}/seasons", after).status_code == 201
    other = RoomType.objects.create(
        property=room_type.property, name="Single", capacity=1, nightly_rate=60
    )
    same_dates = _season(stay[0], stay[1])
    assert manager_api.post(f"/api/v1/room-types/{other.pk}/seasons", same_dates).status_code == 201
    # Moving a season onto another is refused too, and changes nothing.
    moved = manager_api.patch(
        f"/api/v1/seasons/{first.json()['id']}",
        {"last_night": (stay[1] + timedelta(days=2)).isoformat()},
    )
    assert moved.status_code == 422 and moved.json()["code"] == "season_overlap"
    assert RateSeason.objects.get(pk=first.json()["id"]).last_night == stay[1]


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        (
            "seasons",
            {
                "name": "x",
                "first_night": "2030-05-02",
                "last_night": "2030-05-01",
                "nightly_rate": "10",
            },
            "invalid_dates",
        ),
        (
            "stay-rules",
            {"first_date": "2030-05-01", "last_date": "2030-05-03", "min_stay": 5, "max_stay": 3},
            "min_stay_above_max_stay",
        ),
        ("stay-rules", {"first_date": "2030-05-01", "last_date": "2030-05-03"}, "empty_rule"),
        (
            "stay-rules",
            {"first_date": "2030-05-03", "last_date": "2030-05-01", "closed": True},
            "invalid_dates",
        ),
        ("discounts", {"min_nights": 1, "percent": "10"}, "invalid_input"),
        ("discounts", {"min_nights": 3, "percent": "101"}, "invalid_input"),
        ("rate-plan", {"base_occupancy": 3}, "base_occupancy_above_capacity"),
        ("rate-plan", {"weekend_nights": "7"}, "invalid_input"),
    ],
)
def test_bad_rates_are_a_422_with_a_code_and_nothing_is_stored(
    manager_api: ApiClient, room_type: RoomType, path: str, body: dict[str, object], code: str
) -> None:
    url = f"/api/v1/room-types/{room_type.pk}/{path}"
    if path == "rate-plan":
        answer = manager_api.client.put(
            url, body, content_type="application/json", headers=manager_api._headers(None)
        )
    else:
        answer = manager_api.post(url, body)
    assert answer.status_code == 422, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == code
    assert not AuditEvent.objects.filter(action__startswith="rates.").exists()


def test_front_desk_reads_rates_but_only_managers_change_them(
    staff_api: ApiClient, guest_api: ApiClient, room_type: RoomType
) -> None:
    base = f"/api/v1/room-types/{room_type.pk}"
    assert staff_api.get(f"{base}/rates").status_code == 200
    refused = staff_api.post(
        f"{base}/stay-rules",
        {"first_date": "2030-01-01", "last_date": "2030-01-02", "closed": True},
    )
    assert refused.status_code == 403 and refused.json()["code"] == "manager_only"
    assert guest_api.get(f"{base}/rates").status_code == 403
    assert not StayRule.objects.exists()


def test_closing_dates_and_reopening_them_is_audited(
    manager_api: ApiClient, room: Room, room_type: RoomType, stay: tuple[date, date]
) -> None:
    body = {
        "first_date": stay[0].isoformat(),
        "last_date": stay[1].isoformat(),
        "closed": True,
        "note": "Water damage",
    }
    rule = manager_api.post(f"/api/v1/room-types/{room_type.pk}/stay-rules", body).json()
    params = {"check_in": stay[0], "check_out": stay[1], "guests": 1}
    assert manager_api.get("/api/v1/availability", **params).json()["rooms"] == []
    assert _delete(manager_api, f"/api/v1/stay-rules/{rule['id']}") == 204
    assert _delete(manager_api, f"/api/v1/stay-rules/{rule['id']}") == 404
    assert len(manager_api.get("/api/v1/availability", **params).json()["rooms"]) == 1
    deleted = AuditEvent.objects.get(action="rates.rule_deleted")
    assert deleted.details["note"] == "Water damage" and deleted.details["closed"] == "True"
