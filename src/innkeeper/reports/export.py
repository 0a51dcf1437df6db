"""A report as rows (for tables and CSV) and as JSON; CSV cells cannot start a formula."""

from __future__ import annotations

import csv
import io
from typing import Any, Literal

from innkeeper.reports.selectors import Line, Report

Kind = Literal["occupancy", "revenue"]
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _ratio_row(line: Line) -> list[str]:
    r = line.ratio
    return [line.label, str(r.occupied), str(r.available), str(r.occupancy), str(r.revenue)]


def rows(report: Report, kind: Kind) -> list[list[str]]:
    """A header row, then data rows; the first column says what each row is."""
    if kind == "occupancy":
        head = ["night_or_room_type", "occupied", "available", "occupancy_percent", "revenue"]
        body = [_ratio_row(line) for line in [*report.nights, *report.room_types]]
        total = Line("total", report.total)
        return [head, *body, _ratio_row(total)]
    money: list[list[str]] = [["figure", f"amount_{report.currency}"]]
    money += [
        ["room_revenue", str(report.total.revenue)],
        ["adr", str(report.adr)],
        ["revpar", str(report.revpar)],
        ["tourist_tax", str(report.tourist_tax)],
    ]
    money += [[f"payments:{label}", str(amount)] for label, amount in report.by_method]
    money += [
        ["payments_net", str(report.net_payments)],
        ["arrivals", str(report.arrivals)],
        ["departures", str(report.departures)],
        ["no_shows", str(report.no_shows)],
        ["cancellations", str(report.cancellations)],
    ]
    return money


def to_csv(report: Report, kind: Kind) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows(report, kind):
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def _ratio_json(line: Line) -> dict[str, Any]:
    r = line.ratio
    return {
        "label": line.label,
        "occupied": r.occupied,
        "available": r.available,
        "occupancy_percent": str(r.occupancy),
        "room_revenue": str(r.revenue),
    }


def to_json(report: Report) -> dict[str, Any]:
    """Amounts as strings, so no float ever rounds a Decimal."""
    return {
        "property": report.property.pk,
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "currency": report.currency,
        "nights": [_ratio_json(line) for line in report.nights],
        "room_types": [_ratio_json(line) for line in report.room_types],
        "total": _ratio_json(Line("total", report.total)),
        "adr": str(report.adr),
        "revpar": str(report.revpar),
        "tourist_tax": str(report.tourist_tax),
        "payments_by_method": {label: str(amount) for label, amount in report.by_method},
        "payments_net": str(report.net_payments),
        "arrivals": report.arrivals,
        "departures": report.departures,
        "no_shows": report.no_shows,
        "cancellations": report.cancellations,
    }


def to_table(report: Report, kind: Kind) -> str:
    table = rows(report, kind)
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    title = f"{report.property.name}: {kind} {report.start} to {report.end} (end excluded)"
    lines = [title, ""]
    for row in table:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return "\n".join(lines) + "\n"
