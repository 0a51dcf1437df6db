"""The front desk lists open channel conflicts and failing feeds at the top of its day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from innkeeper.channels.feeds import calendar_feed_add
from innkeeper.channels.sync import feed_sync
from innkeeper.testing import channel_calendars as cal

pytestmark = pytest.mark.django_db


def test_desk_shows_conflicts_and_failing_feeds(
    private_urls, channel, client, staff, room, make_booking
):
    booking = make_booking()
    url = channel.serve(
        "/b.ics", cal.booking_com([("c1", booking.check_in, booking.check_out + timedelta(days=1))])
    )
    feed = calendar_feed_add(room_id=room.pk, url=url, channel="Booking.com", actor_label="t")
    client.force_login(staff)
    assert b"Channel conflicts" not in client.get(reverse("web:desk")).content

    feed_sync(feed_id=feed.pk)
    page = client.get(reverse("web:desk")).content.decode()
    assert "Channel conflicts" in page and 'data-conflict="' in page
    assert booking.reference in page and "Booking.com" in page

    channel.serve("/b.ics", b"", status=500)
    feed_sync(feed_id=feed.pk)
    page = client.get(reverse("web:desk")).content.decode()
    assert f'data-feed="{feed.pk}"' in page and "feed_http_error" in page


def test_admin_shows_feeds_conflicts_and_blocks_read_only(admin_client, room):
    from innkeeper.channels.models import CalendarFeed

    feed = CalendarFeed.objects.create(
        room=room, channel="Airbnb", url="https://x.example/s3cret.ics"
    )
    for name in ("channels_calendarfeed", "channels_channelconflict", "bookings_roomblock"):
        listing = admin_client.get(reverse(f"admin:{name}_changelist"))
        assert listing.status_code == 200, name
        assert admin_client.get(reverse(f"admin:{name}_add")).status_code == 403
    detail = admin_client.get(reverse("admin:channels_calendarfeed_change", args=[feed.pk]))
    assert detail.status_code == 200 and b"s3cret" not in detail.content


def test_room_board_shows_nights_closed_by_a_channel(
    private_urls, channel, client, staff, room, today
):
    from innkeeper.bookings.models import RoomBlock

    RoomBlock.objects.create(
        room=room,
        start=today + timedelta(days=1),
        end=today + timedelta(days=3),
        origin="feed:0",
        source="Airbnb",
        external_uid="u1",
        summary="Reserved",
    )
    client.force_login(staff)
    page = client.get(reverse("web:board")).content.decode()
    assert page.count('class="closed" data-channel="Airbnb"') == 2
