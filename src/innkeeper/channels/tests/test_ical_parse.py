"""Feeds that are iCalendar on the outside but broken inside are a clear error, never a crash."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from innkeeper.channels.ical_import import FeedInvalid, Window, parse_feed
from innkeeper.testing import channel_calendars as cal

TODAY = date.today()
WINDOW = Window(ZoneInfo("Europe/Paris"), time(11), TODAY, TODAY + timedelta(days=400), 100)
D = TODAY + timedelta(days=10)


def code(body: str | bytes) -> str:
    with pytest.raises(FeedInvalid) as caught:
        parse_feed(body.encode() if isinstance(body, str) else body, WINDOW)
    return caught.value.code


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x00\xff\xfe binary",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:notadate\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        cal.google([["UID:r@x", f"DTSTART;VALUE=DATE:{D:%Y%m%d}", "RRULE:FREQ=SOMETIMES"]]),
    ],
)
def test_broken_feeds_are_feed_malformed(body):
    assert code(body) == "feed_malformed"


def test_events_without_a_start_are_skipped_and_others_kept():
    body = cal.google(
        [
            ["UID:nostart@x", "SUMMARY:no dates"],
            [
                "UID:ok@x",
                f"DTSTART;VALUE=DATE:{D:%Y%m%d}",
                f"DTEND;VALUE=DATE:{D + timedelta(days=2):%Y%m%d}",
            ],
        ]
    )
    [event] = parse_feed(body.encode(), WINDOW)
    assert (event.key, event.start, event.end) == ("ok@x", D, D + timedelta(days=2))


def test_an_endless_daily_rule_is_bounded_by_the_event_cap():
    body = cal.google([["UID:daily@x", f"DTSTART;VALUE=DATE:{D:%Y%m%d}", "RRULE:FREQ=DAILY"]])
    assert code(body) == "feed_too_many_events"
    wide = Window(WINDOW.zone, WINDOW.check_out_time, TODAY, TODAY + timedelta(days=60), 100)
    events = parse_feed(body.encode(), wide)
    assert len(events) == 51 and events[0].key == f"daily@x#{D.isoformat()}"
