"""The report's figures equal the hand-computed ones in data.py, on both engines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from innkeeper.reports.export import safe_cell, to_csv
from innkeeper.reports.ranges import BadRange, parse_range
from innkeeper.reports.selectors import manager_report, report_nights
from innkeeper.testing import reports_data as data

pytestmark = pytest.mark.django_db


def test_figures_equal_the_hand_computed_ones() -> None:
    hotel = data.build_hotel()
    data.build_neighbour()
    report = manager_report(prop=hotel.prop, start=hotel.start, end=hotel.end)
    nights = [
        (n.ratio.occupied, n.ratio.available, str(n.ratio.occupancy), str(n.ratio.revenue))
        for n in report.nights
    ]
    assert nights == data.NIGHTS
    assert [n.label for n in report.nights] == [
        d.isoformat() for d in report_nights(hotel.start, hotel.end)
    ]
    types = {
        t.label: (t.ratio.occupied, t.ratio.available, str(t.ratio.occupancy), str(t.ratio.revenue))
        for t in report.room_types
    }
    assert types == data.ROOM_TYPES
    total = report.total
    assert (total.occupied, total.available, str(total.occupancy), str(total.revenue)) == data.TOTAL
    assert (str(report.adr), str(report.revpar)) == (data.ADR, data.REVPAR)
    assert str(report.tourist_tax) == data.TOURIST_TAX
    assert {label: str(amount) for label, amount in report.by_method} == data.PAYMENTS
    assert str(report.net_payments) == data.NET
    assert all(isinstance(amount, Decimal) for _, amount in report.by_method)
    assert (report.arrivals, report.departures) == (data.ARRIVALS, data.DEPARTURES)
    assert (report.no_shows, report.cancellations) == (data.NO_SHOWS, data.CANCELLATIONS)


def test_a_range_before_everything_is_empty_not_an_error() -> None:
    hotel = data.build_hotel()
    start, end = parse_range("2000-01-01", "2000-01-03")
    report = manager_report(prop=hotel.prop, start=start, end=end)
    assert report.total.available == 6 and report.total.occupied == 0
    assert str(report.adr) == "0.00" and report.by_method == [] and report.arrivals == 0


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"],
)
def test_formula_cells_are_quoted(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell


def test_plain_cells_are_untouched() -> None:
    assert safe_cell("Double") == "Double" and safe_cell("12.50") == "12.50"


def test_csv_quotes_a_room_type_named_like_a_formula() -> None:
    hotel = data.build_hotel(single_name="=cmd|' /C calc'!A0")
    report = manager_report(prop=hotel.prop, start=hotel.start, end=hotel.end)
    text = to_csv(report, "occupancy")
    assert "\r\n'=cmd|' /C calc'!A0,1,4,25.00,80.00\r\n" in text
    assert not any(line.startswith("=") for line in text.splitlines())


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-13-01", "2026-12-01", "is not a date"),
        ("2026-07-02", "2026-07-02", "must be before"),
        ("2026-07-03", "2026-07-02", "must be before"),
        ("2020-01-01", "2026-01-01", "at most 366"),
    ],
)
def test_bad_ranges_say_what_is_wrong(start: str, end: str, message: str) -> None:
    with pytest.raises(BadRange, match=message):
        parse_range(start, end)
