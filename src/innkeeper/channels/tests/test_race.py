"""A direct booking and an import for the same room and nights at the same moment, on real
threads against the real database (SQLite file or PostgreSQL): exactly one holds the nights;
the other is a 409 (room_unavailable) or a recorded conflict, never both held silently."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections

from innkeeper.bookings.models import Booking, RoomBlock
from innkeeper.bookings.services import booking_create
from innkeeper.channels.feeds import calendar_feed_add
from innkeeper.channels.models import ChannelConflict
from innkeeper.channels.sync import feed_sync
from innkeeper.core.errors import RoomUnavailable
from innkeeper.testing import channel_calendars as cal

pytestmark = [pytest.mark.slow, pytest.mark.integrity, pytest.mark.django_db(transaction=True)]
ROUNDS = 6


def _together(*targets):
    barrier = threading.Barrier(len(targets))
    outcomes: list[object] = [None] * len(targets)

    def run(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = targets[index]()
        except RoomUnavailable as error:
            outcomes[index] = error
        except Exception as error:
            outcomes[index] = f"error: {type(error).__name__}: {error}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(targets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_direct_booking_and_import_race_for_the_same_nights(
    private_urls, channel, room, guest, today
):
    feeds, seen = [], set()
    for n in range(ROUNDS):
        start = today + timedelta(days=10 + 5 * n)
        end = start + timedelta(days=3)
        url = channel.serve(f"/race/{n}.ics", cal.airbnb([(f"race{n}", start, end, "Reserved")]))
        feed = calendar_feed_add(room_id=room.pk, url=url, channel="Airbnb", actor_label="t")
        feeds.append(feed)

        def book(start=start, end=end):
            return booking_create(
                room_id=room.pk,
                check_in=start,
                check_out=end,
                guests=1,
                created_by=guest,
                guest=guest,
            )

        booked, synced = _together(book, lambda feed=feed: feed_sync(feed_id=feed.pk))
        assert not isinstance(booked, str) and not isinstance(synced, str), (booked, synced)
        assert synced.ok
        blocks = RoomBlock.objects.filter(origin=feed.origin)
        if isinstance(booked, Booking):
            # The booking won: the import records a conflict and blocks nothing over it.
            seen.add("booking")
            assert not blocks.exists()
            assert (
                ChannelConflict.objects.filter(feed=feed, booking=booked, status="open").count()
                == 1
            )
        else:
            # The import won: the booking was refused with a 409.
            seen.add("import")
            assert isinstance(booked, RoomUnavailable) and booked.status == 409
            assert [(b.start, b.end) for b in blocks] == [(start, end)]
            assert not Booking.objects.filter(room=room, check_in=start).exists()
    # Whatever the order, nothing active overlaps a block.
    for block in RoomBlock.objects.filter(room=room):
        assert not Booking.objects.filter(
            room=room,
            status__in=("pending", "confirmed", "checked_in"),
            check_in__lt=block.end,
            check_out__gt=block.start,
        ).exists()
