"""In Debian's Chromium: a signed-in guest downloads their data from the account page."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking
from innkeeper.conftest import PASSWORD
from innkeeper.testing.browser import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_guest_downloads_their_data_from_my_bookings(
    live_server: Any, new_page: Any, guest: User, stayed: Callable[..., Booking], tmp_path: Path
) -> None:
    booking = stayed(guest=guest)
    page = new_page()
    page.goto(f"{live_server.url}/account/login/?next=/my-bookings/")
    page.get_by_label("Email").fill(guest.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    link = page.get_by_role("link", name="Download my data (JSON)")
    expect(link).to_be_visible()
    shoot(page, "my-data")
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename == "my-innkeeper-data.json"
    saved = tmp_path / "data.json"
    download.save_as(saved)
    data = json.loads(saved.read_text())
    assert data["account"]["email"] == guest.email
    assert [b["reference"] for b in data["bookings"]] == [booking.reference]
