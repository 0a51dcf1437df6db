"""Importing channel calendars from a real local HTTP server, on both engines: the feeds in
the channels' own formats become blocks the booking path respects, follow the feed as it
changes, and survive the channel failing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from innkeeper.bookings.models import RoomBlock
from innkeeper.bookings.selectors import availability_search
from innkeeper.channels.feeds import calendar_feed_add
from innkeeper.channels.models import CalendarFeed
from innkeeper.channels.sync import feed_sync
from innkeeper.core.errors import RoomUnavailable
from innkeeper.testing import channel_calendars as cal

pytestmark = [pytest.mark.integrity, pytest.mark.django_db]


def spans(room):
    return sorted((b.start, b.end) for b in RoomBlock.objects.filter(room=room))


def add(room, url, channel="Airbnb"):
    return calendar_feed_add(room_id=room.pk, url=url, channel=channel, actor_label="test")


def test_airbnb_feed_blocks_its_nights_for_search_and_booking(
    private_urls, channel, room, today, make_booking
):
    d = today + timedelta(days=20)
    url = channel.serve(
        "/airbnb/101.ics",
        cal.airbnb(
            [
                ("res1", d, d + timedelta(days=3), "Reserved"),
                ("blk1", d + timedelta(days=10), d + timedelta(days=12), "Airbnb (Not available)"),
            ]
        ),
    )
    feed = add(room, url)
    result = feed_sync(feed_id=feed.pk)

    assert result.ok and result.changed and (result.events, result.blocks) == (2, 2)
    assert spans(room) == [
        (d, d + timedelta(days=3)),
        (d + timedelta(days=10), d + timedelta(days=12)),
    ]
    block = RoomBlock.objects.get(room=room, start=d)
    assert (block.source, block.summary, block.origin) == ("Airbnb", "Reserved", f"feed:{feed.pk}")
    # Availability and the booking service both treat the nights as taken.
    assert not availability_search(
        check_in=d + timedelta(days=1), check_out=d + timedelta(days=4), guests=1
    )
    with pytest.raises(RoomUnavailable):
        make_booking(check_in=d + timedelta(days=2), check_out=d + timedelta(days=5))
    # Back-to-back with the imported stay is fine, as with bookings.
    assert make_booking(check_in=d + timedelta(days=3), check_out=d + timedelta(days=5)).is_active
    assert availability_search(
        check_in=d + timedelta(days=5), check_out=d + timedelta(days=6), guests=1
    )


def test_feed_changes_between_polls_move_add_and_remove_blocks(private_urls, channel, room, today):
    d = today + timedelta(days=30)
    first = cal.booking_com(
        [("bk-1", d, d + timedelta(days=2)), ("bk-2", d + timedelta(days=5), d + timedelta(days=6))]
    )
    url = channel.serve("/booking/ical", first)
    feed = add(room, url, "Booking.com")
    assert feed_sync(feed_id=feed.pk).ok
    assert spans(room) == [
        (d, d + timedelta(days=2)),
        (d + timedelta(days=5), d + timedelta(days=6)),
    ]

    # Unchanged: a conditional GET, answered 304; the blocks stay.
    again = feed_sync(feed_id=feed.pk)
    assert again.ok and not again.changed and again.blocks == 2
    assert channel.requests[-1][1].get("If-None-Match")
    assert spans(room) == [
        (d, d + timedelta(days=2)),
        (d + timedelta(days=5), d + timedelta(days=6)),
    ]

    # bk-1 moved by two days, bk-2 cancelled (gone from the feed), bk-3 new.
    channel.serve(
        "/booking/ical",
        cal.booking_com(
            [
                ("bk-1", d + timedelta(days=2), d + timedelta(days=4)),
                ("bk-3", d + timedelta(days=9), d + timedelta(days=11)),
            ]
        ),
    )
    moved = feed_sync(feed_id=feed.pk)
    assert moved.ok and moved.changed
    assert spans(room) == [
        (d + timedelta(days=2), d + timedelta(days=4)),
        (d + timedelta(days=9), d + timedelta(days=11)),
    ]
    assert (
        RoomBlock.objects.get(room=room, start=d + timedelta(days=2)).summary
        == "CLOSED - Not available"
    )
    feed.refresh_from_db()
    assert (feed.events, feed.blocks, feed.failing) == (2, 2, False)


def test_cancelled_event_in_the_feed_frees_its_nights(private_urls, channel, room, today):
    d = today + timedelta(days=15)
    event = [
        f"UID:owner-{d}@google.com",
        f"DTSTART;VALUE=DATE:{d:%Y%m%d}",
        f"DTEND;VALUE=DATE:{d + timedelta(days=2):%Y%m%d}",
        "SUMMARY:Owner stay",
    ]
    url = channel.serve("/g.ics", cal.google([event]))
    feed = add(room, url, "Google")
    feed_sync(feed_id=feed.pk)
    assert spans(room) == [(d, d + timedelta(days=2))]
    channel.serve("/g.ics", cal.google([[*event, "STATUS:CANCELLED"]]))
    assert feed_sync(feed_id=feed.pk).ok
    assert spans(room) == []


def test_a_failing_feed_keeps_its_last_good_blocks_and_says_why(
    private_urls, settings, channel, room, today
):
    d = today + timedelta(days=40)
    good = cal.airbnb([("r1", d, d + timedelta(days=4), "Reserved")])
    url = channel.serve("/a.ics", good)
    feed = add(room, url)
    assert feed_sync(feed_id=feed.pk).ok
    kept = spans(room)

    settings.CHANNEL_MAX_FEED_BYTES = 20_000
    settings.CHANNEL_MAX_EVENTS = 50
    many = cal.airbnb(
        [(f"x{i}", d + timedelta(days=i), d + timedelta(days=i + 1), "Reserved") for i in range(60)]
    )
    failures: dict[str, dict[str, Any]] = {
        "feed_http_error": dict(body=b"", status=503),
        "feed_malformed": dict(body=b"<html>Sign in to Airbnb</html>"),
        "feed_too_large": dict(body=good.encode() + b"X-PAD:" + b"x" * 30_000),
        "feed_too_many_events": dict(body=many.encode()),
    }
    for code, route in failures.items():
        channel.serve("/a.ics", **route)
        result = feed_sync(feed_id=feed.pk)
        assert not result.ok and result.error_code == code, (code, result)
        assert spans(room) == kept, code  # never unblocks dates because a fetch failed
        feed.refresh_from_db()
        assert feed.failing and feed.last_error_code == code and feed.last_error

    channel.routes.pop("/a.ics")  # gone: 404
    assert feed_sync(feed_id=feed.pk).error_code == "feed_http_error"
    channel.serve("/a.ics", good)
    assert feed_sync(feed_id=feed.pk).ok
    feed.refresh_from_db()
    assert not feed.failing and spans(room) == kept


def test_google_calendar_time_zones_and_recurrence(private_urls, channel, room, hotel, today):
    hotel.time_zone, hotel.check_out_time = "Europe/Paris", hotel.check_out_time.replace(hour=11)
    hotel.save()
    d = today + timedelta(days=50)
    w = today + timedelta(days=70)
    events = [
        # Timed, local: in 15:00, out 10:00 two days later -> two nights.
        [
            "UID:timed-1@google.com",
            f"DTSTART;TZID=Europe/Paris:{cal.stamp(d, '1500')}",
            f"DTEND;TZID=Europe/Paris:{cal.stamp(d + timedelta(days=2), '1000')}",
            "SUMMARY:Guest A",
        ],
        # New York evening is the next morning in Paris; leaving at 18:00 holds that night too.
        [
            "UID:timed-2@google.com",
            f"DTSTART;TZID=America/New_York:{cal.stamp(d + timedelta(days=4), '2000')}",
            f"DTEND;TZID=Europe/Paris:{cal.stamp(d + timedelta(days=6), '1800')}",
            "SUMMARY:Guest B",
        ],
        # Weekly owner night, 4 times, the 2nd skipped (EXDATE), the 3rd moved a day later.
        [
            "UID:weekly@google.com",
            f"DTSTART;VALUE=DATE:{w:%Y%m%d}",
            f"DTEND;VALUE=DATE:{w + timedelta(days=1):%Y%m%d}",
            "RRULE:FREQ=WEEKLY;COUNT=4",
            f"EXDATE;VALUE=DATE:{w + timedelta(days=7):%Y%m%d}",
            "SUMMARY:Owner",
        ],
        [
            "UID:weekly@google.com",
            f"RECURRENCE-ID;VALUE=DATE:{w + timedelta(days=14):%Y%m%d}",
            f"DTSTART;VALUE=DATE:{w + timedelta(days=15):%Y%m%d}",
            f"DTEND;VALUE=DATE:{w + timedelta(days=16):%Y%m%d}",
            "SUMMARY:Owner (moved)",
        ],
        # Free time and a cancelled event hold nothing.
        [
            "UID:free@google.com",
            f"DTSTART;VALUE=DATE:{d:%Y%m%d}",
            "TRANSP:TRANSPARENT",
            "SUMMARY:Maybe",
        ],
        [
            "UID:off@google.com",
            f"DTSTART;VALUE=DATE:{d + timedelta(days=9):%Y%m%d}",
            "STATUS:CANCELLED",
        ],
    ]
    feed = add(room, channel.serve("/google.ics", cal.google(events)), "Google")
    result = feed_sync(feed_id=feed.pk)
    assert result.ok, result
    one = timedelta(days=1)
    assert spans(room) == [
        (d, d + 2 * one),
        (d + 5 * one, d + 7 * one),
        (w, w + one),
        (w + 15 * one, w + 16 * one),
        (w + 21 * one, w + 22 * one),
    ]
    keys = set(feed.feed_events.values_list("key", flat=True))
    assert f"weekly@google.com#{w.isoformat()}" in keys and "timed-1@google.com" in keys


def test_importing_our_own_export_back_blocks_nothing(
    private_urls, channel, room, make_booking, client
):
    """A channel that echoes our export (or an operator who adds it by mistake) must not turn
    our own bookings into blocks that conflict with themselves."""
    from innkeeper.channels.services import calendar_export_issue

    make_booking()
    issued = calendar_export_issue(room_id=room.pk, actor_label="test")
    ours = client.get(issued.path).content
    feed = add(room, channel.serve("/echo.ics", ours), "Echo")
    result = feed_sync(feed_id=feed.pk)
    assert result.ok and result.events == 0 and not result.opened
    assert not CalendarFeed.objects.get(pk=feed.pk).conflicts.exists()


def test_imported_blocks_are_exported_to_the_other_channels(
    private_urls, channel, room, today, client
):
    from icalendar import Calendar, Event

    from innkeeper.channels.services import calendar_export_issue

    path = calendar_export_issue(room_id=room.pk, actor_label="test").path
    before = client.get(path)
    d = today + timedelta(days=12)
    url = channel.serve("/air.ics", cal.airbnb([("hm9", d, d + timedelta(days=2), "Reserved")]))
    assert feed_sync(feed_id=add(room, url).pk).ok

    after = client.get(path, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    [event] = Calendar.from_ical(after.content).walk("VEVENT")
    assert isinstance(event, Event)
    start, end = event.DTSTART, event.DTEND
    assert (start, end) == (d, d + timedelta(days=2))
    assert "airbnb" not in str(event["UID"])  # our own opaque UID, not the channel's
