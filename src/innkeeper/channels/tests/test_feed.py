"""The calendar export feed, parsed back with `icalendar` and checked against the shape of
the feeds Airbnb and Booking.com publish. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.test import Client
from django.utils.http import http_date
from icalendar import Calendar

from innkeeper.bookings.services import booking_cancel
from innkeeper.channels.services import ExportExists, calendar_export_issue
from innkeeper.core.models import AuditEvent
from innkeeper.rooms.models import Room

# A feed as Airbnb publishes it (trimmed): our output must have the same load-bearing lines.
AIRBNB_SAMPLE = (
    "BEGIN:VCALENDAR\r\nPRODID;X-RICAL-TZSOURCE=TZINFO:-//Airbnb Inc//Hosting Calendar 0.8.8//EN"
    "\r\nCALSCALE:GREGORIAN\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTEND;VALUE=DATE:20261210\r\n"
    "DTSTART;VALUE=DATE:20261205\r\nUID:1418fb94e984-7b6b2b3a3d2a0b0c9f2e3a1f@airbnb.com\r\n"
    "SUMMARY:Reserved\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _feed_path(room: Room) -> str:
    return calendar_export_issue(room_id=room.pk, actor_label="test").path


def _events(body: bytes) -> list:
    calendar = Calendar.from_ical(body)
    return [c for c in calendar.walk("VEVENT")]


def _is_date(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def test_feed_lists_active_bookings_as_all_day_events(room, make_booking, today):
    path = _feed_path(room)
    first = make_booking(
        check_in=today + timedelta(days=3),
        check_out=today + timedelta(days=5),
        guest_name="Amina Guest",
        guest_email="amina@example.com",
        guest_phone="+212600000001",
    )
    second = make_booking(check_in=today + timedelta(days=10), check_out=today + timedelta(days=13))

    response = Client().get(path)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    calendar = Calendar.from_ical(body)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//innkeeper//")
    events = _events(body)
    assert [(e.decoded("DTSTART"), e.decoded("DTEND")) for e in events] == [
        (first.check_in, first.check_out),
        (second.check_in, second.check_out),
    ]
    for event in events:
        assert _is_date(event.decoded("DTSTART")) and _is_date(event.decoded("DTEND"))
        assert str(event["SUMMARY"]) == "Reserved"
        assert event.decoded("DTSTAMP").tzinfo is not None
    assert len({str(e["UID"]) for e in events}) == 2
    # The lines the channels' importers read, byte for byte in their own format.
    text = body.decode()
    start_line = f"DTSTART;VALUE=DATE:{first.check_in:%Y%m%d}\r\n"
    end_line = f"DTEND;VALUE=DATE:{first.check_out:%Y%m%d}\r\n"
    assert start_line in text and end_line in text
    for line in ("BEGIN:VCALENDAR\r\n", "VERSION:2.0\r\n", "SUMMARY:Reserved\r\n"):
        assert line in text and line in AIRBNB_SAMPLE
    assert "\n" not in text.replace("\r\n", "")
    # No personal data, and not the booking reference either.
    for secret in ("Amina", "amina@example.com", "+212600000001", first.reference, "guest"):
        assert secret.lower() not in text.lower()


def test_uids_are_stable_and_cancelled_bookings_leave_the_feed(room, make_booking, today, guest):
    path = _feed_path(room)
    kept = make_booking(check_in=today + timedelta(days=3), check_out=today + timedelta(days=5))
    gone = make_booking(check_in=today + timedelta(days=8), check_out=today + timedelta(days=9))
    before = {str(e["UID"]): e.decoded("DTSTART") for e in _events(Client().get(path).content)}
    assert sorted(before.values()) == [kept.check_in, gone.check_in]

    booking_cancel(reference=gone.reference, actor=guest, reason="plans changed")
    after = {str(e["UID"]): e.decoded("DTSTART") for e in _events(Client().get(path).content)}

    assert list(after.values()) == [kept.check_in]
    kept_uid = next(uid for uid, start in before.items() if start == kept.check_in)
    assert list(after) == [kept_uid]


def test_back_to_back_stays_share_the_turnover_day(room, make_booking, today):
    path = _feed_path(room)
    turnover = today + timedelta(days=6)
    make_booking(check_in=today + timedelta(days=4), check_out=turnover)
    make_booking(check_in=turnover, check_out=today + timedelta(days=8))

    events = _events(Client().get(path).content)

    assert [(e.decoded("DTSTART"), e.decoded("DTEND")) for e in events] == [
        (today + timedelta(days=4), turnover),
        (turnover, today + timedelta(days=8)),
    ]


def test_conditional_get_answers_304_until_the_bookings_change(room, make_booking, today):
    path = _feed_path(room)
    make_booking(check_in=today + timedelta(days=3), check_out=today + timedelta(days=5))
    client = Client()
    first = client.get(path)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified

    same = client.get(path, headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b""
    assert same["ETag"] == etag
    since = client.get(path, headers={"If-Modified-Since": modified})
    assert since.status_code == 304

    make_booking(check_in=today + timedelta(days=20), check_out=today + timedelta(days=22))
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert len(_events(changed.content)) == 2
    old = http_date(0)
    assert client.get(path, headers={"If-Modified-Since": old}).status_code == 200


def test_rotation_kills_the_old_url_and_is_audited(room, make_booking, today):
    old_path = _feed_path(room)
    make_booking(check_in=today + timedelta(days=3), check_out=today + timedelta(days=5))
    with pytest.raises(ExportExists):
        calendar_export_issue(room_id=room.pk, actor_label="test")

    rotated = calendar_export_issue(room_id=room.pk, rotate=True, actor_label="ops")

    assert rotated.rotated and rotated.path != old_path
    assert Client().get(old_path).status_code == 404
    fresh = Client().get(rotated.path)
    assert fresh.status_code == 200 and len(_events(fresh.content)) == 1
    actions = list(
        AuditEvent.objects.filter(target=f"room:{room.pk}")
        .order_by("id")
        .values_list("action", "actor_label")
    )
    assert actions == [("channels.export_issued", "test"), ("channels.export_rotated", "ops")]


def test_unknown_token_is_a_404_that_names_nothing(room):
    _feed_path(room)
    for token in ("A" * 43, "not-a-token", "x" * 200):
        response = Client().get(f"/calendar/{token}.ics")
        assert response.status_code == 404
        assert b"101" not in response.content and b"Riad" not in response.content
        assert not response.has_header("ETag")


def test_room_type_feed_blocks_only_dates_with_no_room_left(room, make_booking, today):
    other = Room.objects.create(property=room.property, room_type=room.room_type, number="102")
    path = calendar_export_issue(room_type_id=room.room_type_id, actor_label="test").path
    make_booking(check_in=today + timedelta(days=3), check_out=today + timedelta(days=7))
    one_free = Client().get(path)
    assert _events(one_free.content) == []

    make_booking(
        room_id=other.pk, check_in=today + timedelta(days=5), check_out=today + timedelta(days=9)
    )
    events = _events(Client().get(path).content)

    assert [(e.decoded("DTSTART"), e.decoded("DTEND")) for e in events] == [
        (today + timedelta(days=5), today + timedelta(days=7))
    ]
    assert str(events[0]["SUMMARY"]) == "Not available"

    # Room 101 taken out of service: 102 alone decides, and the validator moves.
    room.is_active = False
    room.save()
    after = Client().get(path, headers={"If-None-Match": one_free["ETag"]})
    assert after.status_code == 200
    assert [(e.decoded("DTSTART"), e.decoded("DTEND")) for e in _events(after.content)] == [
        (today + timedelta(days=5), today + timedelta(days=9))
    ]


def test_long_lines_are_folded_at_75_octets(room, make_booking, today):
    room.property.name = "Riad " + "Tres Longue Maison d'Hotes " * 6
    room.property.save()
    path = _feed_path(room)
    make_booking(check_in=today + timedelta(days=3), check_out=today + timedelta(days=5))

    body = Client().get(path).content

    lines = body.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # a continuation line
    assert "Tres Longue" in str(Calendar.from_ical(body)["X-WR-CALNAME"])


def test_only_active_statuses_are_exported(room, make_booking, today):
    path = _feed_path(room)
    statuses = ["pending", "checked_in", "checked_out", "no_show", "expired", "confirmed"]
    for offset, status in enumerate(statuses):
        start = today + timedelta(days=2 * offset + 1)
        booking = make_booking(check_in=start, check_out=start + timedelta(days=1))
        # Set the status directly: the services' date rules (check-in today, ...) are not
        # what this test is about.
        type(booking).objects.filter(pk=booking.pk).update(status=status)

    starts = [e.decoded("DTSTART") for e in _events(Client().get(path).content)]

    assert starts == [
        today + timedelta(days=1),
        today + timedelta(days=3),
        today + timedelta(days=11),
    ]


def test_a_304_costs_two_queries_and_builds_no_feed(room, make_booking, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = _feed_path(room)
    make_booking(check_in=today + timedelta(days=3), check_out=today + timedelta(days=5))
    client = Client()
    etag = client.get(path)["ETag"]

    with CaptureQueriesContext(connection) as queries:
        same = client.get(path, headers={"If-None-Match": etag})

    assert same.status_code == 304
    ours = [q["sql"] for q in queries if "channels_" in q["sql"] or "bookings_" in q["sql"]]
    assert len(ours) == 2, ours  # the token lookup and one aggregate
    assert not any('"reference"' in sql for sql in ours)  # no booking rows read
    assert client.head(path).status_code == 200
    assert client.post(path).status_code == 405


def test_feed_tokens_never_reach_a_log_line(room, caplog):
    """Django logs every 404 ("Not Found: <path>"): the stderr handler's redact filter must take
    the feed token out, as it does for manage and reset links (ops/redact.py)."""
    import logging

    from innkeeper.ops.redact import RedactSecretsFilter, redact

    token = "T0kenThatMustNotLeak_abcdefghijklmnopqrstuv"
    assert redact(f"GET /calendar/{token}.ics 404") == "GET /calendar/[redacted].ics 404"
    with caplog.at_level(logging.WARNING, logger="django.request"):
        Client().get(f"/calendar/{token}.ics")
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records, "Django logs the 404"
    for record in records:
        RedactSecretsFilter().filter(record)
        assert token not in record.getMessage()
