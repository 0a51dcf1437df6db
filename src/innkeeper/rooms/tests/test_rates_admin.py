"""Rates and stay rules in the admin: validated by the rates services, saved and audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from innkeeper.accounts.models import Role
from innkeeper.conftest import make_user
from innkeeper.core.models import AuditEvent
from innkeeper.rooms.models import RateSeason, RoomType, StayRule

pytestmark = pytest.mark.django_db


def _manager() -> Client:
    client = Client()
    client.force_login(make_user("boss@example.com", Role.MANAGER))
    return client


def _season(room_type: RoomType, first: str, last: str, name: str) -> dict[str, object]:
    return {
        "room_type": room_type.pk,
        "name": name,
        "first_night": first,
        "last_night": last,
        "nightly_rate": "150.00",
        "weekend_rate": "",
    }


def test_admin_adds_a_season_refuses_an_overlap_on_the_form_and_audits(
    room_type: RoomType,
) -> None:
    client = _manager()
    added = client.post(
        "/admin/rooms/rateseason/add/", _season(room_type, "2030-07-01", "2030-08-31", "Summer")
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    clash = client.post(
        "/admin/rooms/rateseason/add/", _season(room_type, "2030-08-15", "2030-09-15", "Late")
    )
    assert clash.status_code == 200
    assert "Overlaps the season" in clash.content.decode()
    assert list(RateSeason.objects.values_list("name", flat=True)) == ["Summer"]
    event = AuditEvent.objects.get(action="rates.season_created")
    assert event.source == "admin" and event.actor is not None

    season = RateSeason.objects.get()
    deleted = client.post(f"/admin/rooms/rateseason/{season.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not RateSeason.objects.exists()
    assert AuditEvent.objects.filter(action="rates.season_deleted", source="admin").exists()


def test_admin_closes_dates_and_a_rule_with_min_above_max_is_refused(
    room_type: RoomType,
) -> None:
    client = _manager()
    rule = {
        "room_type": room_type.pk,
        "first_date": "2030-03-01",
        "last_date": "2030-03-05",
        "min_stay": "5",
        "max_stay": "3",
        "note": "",
    }
    refused = client.post("/admin/rooms/stayrule/add/", rule)
    assert refused.status_code == 200 and "above the maximum stay" in refused.content.decode()
    closed = client.post(
        "/admin/rooms/stayrule/add/",
        {**rule, "min_stay": "", "max_stay": "", "closed": "on", "note": "Staff holiday"},
    )
    assert closed.status_code == 302
    saved = StayRule.objects.get()
    assert (saved.closed, saved.first_date) == (True, date(2030, 3, 1))
    assert AuditEvent.objects.get(action="rates.rule_created").details["note"] == "Staff holiday"


def test_front_desk_sees_rates_in_the_admin_but_cannot_change_them(room_type: RoomType) -> None:
    client = Client()
    client.force_login(make_user("desk2@example.com", Role.FRONT_DESK))
    assert client.get("/admin/rooms/rateseason/").status_code == 200
    add = client.post(
        "/admin/rooms/rateseason/add/", _season(room_type, "2030-07-01", "2030-08-31", "Summer")
    )
    assert add.status_code == 403
    assert not RateSeason.objects.exists()
