"""The report page in Debian's Chromium: a manager signs in, picks the range, reads the
figures and SVG charts with no CSP violation, and downloads the CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, expect

from innkeeper.accounts.models import Role
from innkeeper.conftest import PASSWORD, make_user
from innkeeper.testing import reports_data as data
from innkeeper.testing.browser import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_reads_the_report_and_downloads_the_csv(
    live_server: Any,
    new_page: Any,
    tmp_path: Path,
) -> None:
    hotel = data.build_hotel()
    boss = make_user("boss@example.com", Role.MANAGER)
    page = new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # A CSP violation is reported here ("Refused to ..."); the favicon's 404 is not ours.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/desk/login/")
    page.get_by_label("Email").fill(boss.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Reports").click()
    expect(page).to_have_url(re.compile(r"/desk/reports/"))
    page.get_by_label("From").fill(hotel.start.isoformat())
    page.get_by_label("To (excluded)").fill(hotel.end.isoformat())
    page.get_by_role("button", name="Show").click()

    expect(page.locator("#summary")).to_contain_text(f"{data.TOTAL[2]} %")
    expect(page.locator("#summary")).to_contain_text(data.ADR)
    expect(page.locator("#payments")).to_contain_text(data.NET)
    chart = page.get_by_role("img", name="Occupancy per night")
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() == len(data.NIGHTS)
    shoot(page, "manager-reports")

    with page.expect_download() as download:
        page.locator("#revenue-csv").click()
    saved = tmp_path / "revenue.csv"
    download.value.save_as(saved)
    rows = dict(csv.reader(io.StringIO(saved.read_text())))
    assert rows["payments:cash"] == data.PAYMENTS["cash"]
    assert rows["tourist_tax"] == data.TOURIST_TAX
    assert errors == []
