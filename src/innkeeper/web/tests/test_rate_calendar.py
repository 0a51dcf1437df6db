"""The rate calendar (desk): a room type's month at a glance, rates and rules, no JavaScript."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from playwright.sync_api import expect

from innkeeper.accounts.models import User
from innkeeper.conftest import PASSWORD
from innkeeper.rooms.models import RatePlan, RateSeason, RoomType, StayRule
from innkeeper.testing.browser import shoot
from innkeeper.testing.rates import next_weekday

MONTH = date(2030, 6, 1)  # June 2030 starts on a Saturday


def _rates(room_type: RoomType) -> None:
    RatePlan.objects.create(room_type=room_type, weekend_rate=Decimal("120.00"))
    RateSeason.objects.create(
        room_type=room_type,
        name="Gnaoua festival",
        first_night=date(2030, 6, 10),
        last_night=date(2030, 6, 12),
        nightly_rate=Decimal("180.00"),
    )
    StayRule.objects.create(
        room_type=room_type, first_date=date(2030, 6, 10), last_date=date(2030, 6, 10), min_stay=3
    )
    StayRule.objects.create(
        room_type=room_type,
        first_date=date(2030, 6, 20),
        last_date=date(2030, 6, 21),
        closed=True,
        note="Roof repairs",
    )


@pytest.mark.django_db
def test_the_month_shows_each_nights_rate_and_rules_in_few_queries(
    room_type: RoomType, staff: User
) -> None:
    _rates(room_type)
    client = Client()
    client.force_login(staff)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/desk/rates/", {"room_type": str(room_type.pk), "month": "2030-06"})
    assert page.status_code == 200
    html = page.content.decode()
    cells = dict(re.findall(r'data-date="([0-9-]+)" data-rate="([0-9.]+)"', html))
    assert len(cells) == 30
    friday = next_weekday(MONTH, 4).isoformat()
    assert cells["2030-06-03"] == "100.00"  # a Monday: base
    assert cells[friday] == "120.00"  # weekend
    assert cells["2030-06-11"] == "180.00"  # the season
    assert "Gnaoua festival" in html and "Min 3" in html and html.count(">Closed<") == 2
    # Site mode, blocklist, session, user, room types; then the room type with its plan,
    # and its seasons, discounts and rules in one query: whatever the month holds.
    assert len(ctx.captured_queries) == 7
    # A month that is not one falls back to this month instead of failing.
    for month in ("2030-13", "9999-12", "0001-01", "x"):
        assert client.get("/desk/rates/", {"month": month}).status_code == 200


@pytest.mark.django_db
def test_guests_cannot_see_the_rate_calendar(room_type: RoomType, guest: User) -> None:
    client = Client()
    assert client.get("/desk/rates/").status_code == 302
    client.force_login(guest)
    assert client.get("/desk/rates/")["Location"].startswith("/desk/login/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_read_a_month_of_rates_and_rules_in_chromium(
    live_server: Any, new_page: Any, room_type: RoomType, staff: User
) -> None:
    _rates(room_type)
    page = new_page()
    page.goto(f"{live_server.url}/desk/login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Rates").click()
    page.get_by_label("Month").fill("2030-06")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("caption")).to_have_text("June 2030")
    festival = page.locator('td[data-date="2030-06-11"]')
    expect(festival).to_contain_text("180.00 EUR")
    expect(festival).to_contain_text("Gnaoua festival")
    expect(page.locator('td[data-date="2030-06-10"]')).to_contain_text("Min 3")
    expect(page.locator('td[data-date="2030-06-20"]')).to_contain_text("Closed")
    expect(page.locator('td[data-date="2030-06-22"]')).to_have_attribute("data-source", "weekend")
    shoot(page, "rate-calendar")

    page.get_by_role("link", name=re.compile("July")).click()
    expect(page.locator("caption")).to_have_text("July 2030")
    first = page.locator('td[data-date="2030-07-01"]')
    expect(first).to_have_attribute("data-rate", "100.00")
    shoot(page, "rate-calendar-next-month")
