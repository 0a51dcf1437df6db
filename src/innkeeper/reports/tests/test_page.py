"""The manager's report page and CSV download through Django's test client."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from innkeeper.accounts.models import Role
from innkeeper.conftest import make_user
from innkeeper.testing import reports_data as data

pytestmark = pytest.mark.django_db


def _query(hotel: data.Hotel) -> str:
    return f"?property={hotel.prop.pk}&from={hotel.start}&to={hotel.end}"


def test_manager_sees_figures_and_svg_charts(client: Client) -> None:
    hotel = data.build_hotel()
    client.force_login(make_user("boss@example.com", Role.MANAGER))
    response = client.get("/desk/reports/" + _query(hotel))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") == 3 and "<script" not in html
    assert "Occupancy per night" in html and f"{data.TOTAL[2]} %" in html
    for figure in (data.ADR, data.REVPAR, data.TOURIST_TAX, data.NET):
        assert f"<td>{figure}</td>" in html
    # The CSP forbids inline script; the charts need none.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert f'href="/desk/reports/revenue.csv{_query(hotel).replace("&", "&amp;")}"' in html


def test_csv_download(client: Client) -> None:
    hotel = data.build_hotel()
    client.force_login(make_user("boss@example.com", Role.MANAGER))
    response = client.get("/desk/reports/revenue.csv" + _query(hotel))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="revenue-riad-report-')
    rows = dict(csv.reader(io.StringIO(response.content.decode())))
    assert rows["payments:cash"] == data.PAYMENTS["cash"] and rows["adr"] == data.ADR


def test_bad_range_is_a_clear_422(client: Client) -> None:
    hotel = data.build_hotel()
    client.force_login(make_user("boss@example.com", Role.MANAGER))
    query = f"?property={hotel.prop.pk}&from=2026-03-05&to=2026-03-01"
    response = client.get("/desk/reports/" + query)
    assert response.status_code == 422
    assert "must be before" in response.content.decode()
    assert client.get("/desk/reports/occupancy.csv" + query).status_code == 422


def test_guests_and_front_desk_are_refused(client: Client) -> None:
    hotel = data.build_hotel()
    for path in ("/desk/reports/", "/desk/reports/revenue.csv"):
        assert client.get(path + _query(hotel))["Location"].startswith("/desk/login/")
    client.force_login(make_user("guest2@example.com"))
    response = client.get("/desk/reports/" + _query(hotel))
    assert response.status_code == 302 and response["Location"].startswith("/desk/login/")
    client.force_login(make_user("desk2@example.com", Role.FRONT_DESK))
    assert client.get("/desk/reports/" + _query(hotel)).status_code == 403
    assert client.get("/desk/reports/revenue.csv" + _query(hotel)).status_code == 403
