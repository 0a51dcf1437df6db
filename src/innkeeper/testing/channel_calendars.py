"""Calendar files written the way the channels publish them (shapes copied from real
exports): Airbnb, Booking.com, and a Google Calendar export with time zones and recurrence.
CRLF line endings, as the channels send them."""

from __future__ import annotations

from datetime import date

CRLF = "\r\n"


def _lines(lines: list[str]) -> str:
    return CRLF.join(lines) + CRLF


def _d(day: date) -> str:
    return day.strftime("%Y%m%d")


def airbnb(events: list[tuple[str, date, date, str]]) -> str:
    """Airbnb: `Reserved` (a reservation, with a description linking it) and
    `Airbnb (Not available)` (host-blocked nights), all-day, UID ...@airbnb.com."""
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN"]
    lines += ["CALSCALE:GREGORIAN", "VERSION:2.0"]
    for uid, start, end, summary in events:
        lines += [
            "BEGIN:VEVENT",
            "DTSTAMP:20261101T101010Z",
            f"DTSTART;VALUE=DATE:{_d(start)}",
            f"DTEND;VALUE=DATE:{_d(end)}",
            f"SUMMARY:{summary}",
            f"UID:{uid}@airbnb.com",
        ]
        if summary == "Reserved":
            lines.append(
                "DESCRIPTION:Reservation URL: https://www.airbnb.com/hosting/reservations/"
                "details/HMABCDEF12\\nPhone Number (Last 4 Digits): 1234"
            )
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return _lines(lines)


def booking_com(events: list[tuple[str, date, date]]) -> str:
    """Booking.com: every closed range is `CLOSED - Not available`, all-day."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//admin.booking.com//EN"]
    lines += ["CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for uid, start, end in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{_d(start)}T000000Z",
            f"DTSTART;VALUE=DATE:{_d(start)}",
            f"DTEND;VALUE=DATE:{_d(end)}",
            "SUMMARY:CLOSED - Not available",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return _lines(lines)


GOOGLE_HEAD = [
    "BEGIN:VCALENDAR",
    "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
    "VERSION:2.0",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "X-WR-CALNAME:Room 101 owner stays",
    "X-WR-TIMEZONE:Europe/Paris",
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Paris",
    "X-LIC-LOCATION:Europe/Paris",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def google(events: list[list[str]]) -> str:
    """Google Calendar export: a VTIMEZONE, then each event's own lines (DTSTART;TZID=...,
    RRULE, EXDATE, RECURRENCE-ID, STATUS:CANCELLED ...) between BEGIN/END:VEVENT."""
    lines = list(GOOGLE_HEAD)
    for event in events:
        lines += ["BEGIN:VEVENT", "DTSTAMP:20261101T101010Z", *event, "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return _lines(lines)


def stamp(day: date, hhmm: str) -> str:
    """A local date-time value: 20270105T150000."""
    return f"{_d(day)}T{hhmm}00"
