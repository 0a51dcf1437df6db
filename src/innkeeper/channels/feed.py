"""The iCal (RFC 5545) text of a calendar export, in the shape Airbnb and Booking.com publish
and import: all-day VEVENTs (DTSTART/DTEND as DATE, DTEND the check-out day, exclusive),
a stable UID, a SUMMARY that says nothing about the guest."""

from __future__ import annotations

import hashlib
from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from icalendar import Calendar, Event

from innkeeper.channels.models import CalendarExport
from innkeeper.channels.selectors import BusyRange

PRODID = "-//innkeeper//Calendar export 1.0//EN"
ROOM_SUMMARY = "Reserved"
ROOM_TYPE_SUMMARY = "Not available"


def uid_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "innkeeper.invalid"


def event_uid(key: str) -> str:
    """Stable for the life of a booking, yet opaque: the channel learns no reference."""
    return f"{hashlib.sha256(key.encode()).hexdigest()[:32]}@{uid_host()}"


def calendar_name(export: CalendarExport) -> str:
    if export.room is not None:
        return f"{export.room.property.name} - Room {export.room.number}"
    assert export.room_type is not None
    return f"{export.room_type.property.name} - {export.room_type.name}"


def render_feed(export: CalendarExport, ranges: list[BusyRange]) -> bytes:
    """CRLF line endings and 75-octet folding come from icalendar's serializer."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name(export))
    summary = ROOM_SUMMARY if export.room_id is not None else ROOM_TYPE_SUMMARY
    for busy in ranges:
        event = Event()
        event.add("uid", event_uid(busy.key))
        event.add("dtstamp", busy.stamp.astimezone(UTC))
        event.add("dtstart", busy.start)
        event.add("dtend", busy.end)
        event.add("summary", summary)
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    feed: bytes = calendar.to_ical()
    return feed
