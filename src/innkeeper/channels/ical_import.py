"""Reading a channel's feed (RFC 5545) into the nights each event holds.

Airbnb publishes all-day events ("Reserved", "Airbnb (Not available)"), Booking.com all-day
"CLOSED - Not available", Google Calendar timed events with TZID, RRULE and moved or
cancelled occurrences. Recurrences are expanded by `recurring-ical-events` up to
CHANNEL_IMPORT_DAYS ahead. A timed event holds the nights from its start day to its end
day, plus the end day's night when it ends after the property's check-out time (a stay
leaving at 11:00 frees that night; an event until 18:00 does not). Cancelled and
transparent ("free") events hold nothing; events this site exported itself are skipped
(importing our own export back must not block our own bookings twice).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

from innkeeper.channels.feed import uid_host


class FeedInvalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ImportedEvent:
    key: str  # the UID, or UID#start-date when a recurring event has several occurrences
    start: date
    end: date
    summary: str


@dataclass(frozen=True)
class Window:
    zone: ZoneInfo
    check_out_time: time
    first: date  # events that end on or before this day are history
    last: date  # nothing later than this is read
    max_events: int


def _local(value: date | datetime, zone: ZoneInfo) -> datetime | date:
    if isinstance(value, datetime):
        # Floating times (no TZID, no Z) are the property's local time.
        return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)
    return value


def nights(start: Any, end: Any, window: Window) -> tuple[date, date]:
    first = _local(start, window.zone)
    last = _local(end, window.zone) if end is not None else None
    first_day = first.date() if isinstance(first, datetime) else first
    if last is None:
        return first_day, first_day + timedelta(days=1)
    last_day = last.date() if isinstance(last, datetime) else last
    if isinstance(last, datetime) and last.time() > window.check_out_time:
        last_day += timedelta(days=1)
    return first_day, max(last_day, first_day + timedelta(days=1))


CHUNK_DAYS = 31


def _occurrences(calendar: Calendar, window: Window) -> list[Any]:
    """Occurrences starting up to `window.last`, expanded a month at a time so that the
    event cap stops an endless daily rule (or thousands of them) early."""
    query = recurring_ical_events.of(calendar, components=["VEVENT"])
    found: dict[tuple[str, str], Any] = {}
    chunk_start = window.first
    while chunk_start <= window.last:
        chunk_end = min(chunk_start + timedelta(days=CHUNK_DAYS), window.last + timedelta(days=1))
        for event in query.between(chunk_start, chunk_end):
            # An event spanning two chunks comes back twice: keep it once.
            found.setdefault((str(event.get("UID", "")), event["DTSTART"].to_ical()), event)
        if len(found) > window.max_events:
            raise FeedInvalid(
                "feed_too_many_events",
                f"The feed holds more than {window.max_events} events in the next "
                f"{(window.last - window.first).days} days.",
            )
        chunk_start = chunk_end
    return sorted(found.values(), key=lambda event: _day(event["DTSTART"].dt, window.zone))


def _without_start(calendar: Calendar) -> Calendar:
    """Events without DTSTART hold no dates; dropped before expansion (which needs one)."""
    calendar.subcomponents = [
        part for part in calendar.subcomponents if part.name != "VEVENT" or "DTSTART" in part
    ]
    return calendar


def _day(value: date | datetime, zone: ZoneInfo) -> date:
    local = _local(value, zone)
    return local.date() if isinstance(local, datetime) else local


def _parse_calendar(body: bytes) -> Calendar:
    try:
        calendar = Calendar.from_ical(body)
    except Exception as error:  # icalendar raises ValueError and friends on junk
        raise FeedInvalid("feed_malformed", f"Not an iCalendar file ({error})."[:300]) from error
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise FeedInvalid("feed_malformed", "Not an iCalendar file (no VCALENDAR).")
    return calendar


def _key(event: Any) -> str:
    uid = str(event.get("UID", "")).strip()
    if uid:
        return uid[:250]
    # No UID (seen in hand-made feeds): the dates and summary identify the event.
    seed = f"{event.get('DTSTART').to_ical()}:{event.get('SUMMARY', '')}"
    return "nouid-" + hashlib.sha256(seed.encode()).hexdigest()[:24]


def _end(event: Any) -> date | datetime | None:
    end: date | datetime | None = None
    if event.get("DTEND") is not None:
        end = event["DTEND"].dt
    elif event.get("DURATION") is not None:
        end = event["DTSTART"].dt + event["DURATION"].dt
    return end


def _holds_nights(event: Any) -> bool:
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return False
    return str(event.get("TRANSP", "OPAQUE")).upper() != "TRANSPARENT"


def _held(occurrences: list[Any], window: Window) -> list[tuple[str, date, date, str]]:
    own = f"@{uid_host()}"
    events: list[tuple[str, date, date, str]] = []
    for event in occurrences:
        key = _key(event)
        if not _holds_nights(event) or key.endswith(own):
            continue
        start_day, end_day = nights(event["DTSTART"].dt, _end(event), window)
        if end_day <= window.first or start_day > window.last:
            continue
        events.append((key, start_day, end_day, str(event.get("SUMMARY", ""))[:200]))
    return events


def parse_feed(body: bytes, window: Window) -> list[ImportedEvent]:
    calendar = _parse_calendar(body)
    if len(calendar.walk("VEVENT")) > window.max_events:
        raise FeedInvalid(
            "feed_too_many_events", f"The feed holds more than {window.max_events} events."
        )
    try:
        events = _held(_occurrences(_without_start(calendar), window), window)
    except FeedInvalid:
        raise
    except Exception as error:  # a broken RRULE, an unknown TZID, a DTSTART that is no date
        raise FeedInvalid(
            "feed_malformed", f"The feed's events cannot be read ({type(error).__name__})."
        ) from error
    repeated = Counter(key for key, *_ in events)
    return [
        ImportedEvent(f"{key}#{start.isoformat()}" if repeated[key] > 1 else key, start, end, text)
        for key, start, end, text in events
    ]
