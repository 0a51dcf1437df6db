"""`innkeeper report ...` as a real subprocess against this test's committed database."""

from __future__ import annotations

import csv
import io
import json

import pytest

from innkeeper.testing import reports_data as data
from innkeeper.testing.cli import innkeeper

pytestmark = pytest.mark.django_db(transaction=True)


def test_report_command_outputs_the_hand_computed_figures() -> None:
    hotel = data.build_hotel()
    span = ("--from", hotel.start.isoformat(), "--to", hotel.end.isoformat())
    as_json = innkeeper("report", "revenue", *span, "--json")
    assert as_json.returncode == 0, as_json.stderr
    figures = json.loads(as_json.stdout)
    assert figures["currency"] == "EUR"
    assert (figures["adr"], figures["revpar"]) == (data.ADR, data.REVPAR)
    assert figures["tourist_tax"] == data.TOURIST_TAX
    assert figures["payments_by_method"] == data.PAYMENTS
    assert figures["payments_net"] == data.NET
    assert figures["total"]["occupancy_percent"] == data.TOTAL[2]
    assert [n["occupied"] for n in figures["nights"]] == [n[0] for n in data.NIGHTS]
    assert (figures["arrivals"], figures["departures"]) == (data.ARRIVALS, data.DEPARTURES)
    assert (figures["no_shows"], figures["cancellations"]) == (data.NO_SHOWS, data.CANCELLATIONS)

    as_csv = innkeeper("report", "occupancy", *span, "--csv", "--property", str(hotel.prop.pk))
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0][0] == "night_or_room_type"
    assert rows[-1] == ["total", "5", "12", data.TOTAL[2], data.TOTAL[3]]
    assert ["Double", "4", "8", "50.00", "400.00"] in rows

    table = innkeeper("report", "revenue", *span)
    assert table.returncode == 0, table.stderr
    assert "Riad Report: revenue" in table.stdout
    assert "payments:cash" in table.stdout and "150.00" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-02-30", "--to", "2026-03-02"), "is not a date"),
        (("--from", "2026-03-02", "--to", "2026-03-01"), "must be before"),
        (("--from", "2026-03-01", "--to", "2026-03-02", "--property", "999999"), "No property"),
    ],
)
def test_report_command_refuses_bad_input_with_exit_2(args: tuple[str, ...], message: str) -> None:
    data.build_hotel()
    result = innkeeper("report", "occupancy", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
