"""Parsing the report's date range, shared by the command and the page."""

from __future__ import annotations

from datetime import date

# A bound on the work one request may ask for: a year and a day covers any yearly report.
MAX_NIGHTS = 366


class BadRange(ValueError):
    """The range is not two ISO dates with from < to, at most MAX_NIGHTS apart."""


def parse_day(raw: str, *, flag: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise BadRange(f"{flag} {raw!r} is not a date: use YYYY-MM-DD, e.g. 2026-07-01.") from None


def parse_range(start_raw: str, end_raw: str) -> tuple[date, date]:
    start = parse_day(start_raw, flag="--from")
    end = parse_day(end_raw, flag="--to")
    if start >= end:
        raise BadRange(f"--from {start} must be before --to {end} (--to is excluded).")
    if (end - start).days > MAX_NIGHTS:
        raise BadRange(f"The range is {(end - start).days} nights; at most {MAX_NIGHTS}.")
    return start, end
