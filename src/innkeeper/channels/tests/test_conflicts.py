"""An imported event over an existing booking: recorded, alerted, visible, resolved by staff;
and the database itself keeps blocks and bookings apart on both engines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from innkeeper.bookings.models import Booking, RoomBlock
from innkeeper.bookings.services import booking_cancel
from innkeeper.channels.feeds import calendar_feed_add
from innkeeper.channels.models import ChannelConflict, ConflictStatus
from innkeeper.core.ids import new_reference
from innkeeper.core.models import AuditEvent
from innkeeper.flows.channel_sync import feed_sync_then_alert
from innkeeper.ops.health import run_checks
from innkeeper.testing import channel_calendars as cal
from innkeeper.testing.jobs import drain

pytestmark = [pytest.mark.integrity, pytest.mark.django_db]


def spans(room):
    return sorted((b.start, b.end) for b in RoomBlock.objects.filter(room=room))


def alerts(smtp):
    """The property's alerts (the guest's booking emails go out too)."""
    return [mail for mail in smtp.messages if mail["To"] == "frontdesk@riad.example"]


def test_an_event_over_a_booking_is_a_conflict_both_stay_and_the_property_is_told(
    private_urls, smtp_settings, channel, hotel, room, make_booking, staff
):
    hotel.email = "frontdesk@riad.example"
    hotel.save()
    booking = make_booking()  # the stay fixture: nights check_in .. check_out
    a, b = booking.check_in - timedelta(days=2), booking.check_in + timedelta(days=1)
    url = channel.serve("/airbnb.ics", cal.airbnb([("hm1", a, b, "Reserved")]))
    feed = calendar_feed_add(room_id=room.pk, url=url, channel="Airbnb", actor_label="t")

    result = feed_sync_then_alert(feed_id=feed.pk)

    assert result.ok and len(result.opened) == 1
    conflict = ChannelConflict.objects.get()
    assert (conflict.booking, conflict.start, conflict.end) == (booking, a, b)
    assert conflict.status == ConflictStatus.OPEN
    booking.refresh_from_db()
    assert booking.is_active  # never silently dropped
    assert spans(room) == [(a, booking.check_in)]  # the event's free nights stay closed
    assert AuditEvent.objects.filter(action="channels.conflict_opened").exists()

    drain()
    [mail] = alerts(smtp_settings)
    assert booking.reference in mail["Subject"] and "Airbnb" in mail["Subject"]
    assert "innkeeper channels conflicts" in mail.get_content()

    report = run_checks(full=True)
    assert report["status"] == "degraded" and report["checks"]["channels"] == "degraded"
    assert report["details"]["channels"]["open_conflicts"] == 1

    # Same feed again: the conflict is not opened (or mailed) twice.
    assert not feed_sync_then_alert(feed_id=feed.pk).opened
    drain()
    assert len(alerts(smtp_settings)) == 1

    # Staff cancel the direct booking: the next sync resolves it and blocks every night.
    booking_cancel(reference=booking.reference, actor=staff, reason="double booked with Airbnb")
    again = feed_sync_then_alert(feed_id=feed.pk)
    assert again.resolved == [conflict.pk]
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.RESOLVED and conflict.resolved_at
    assert spans(room) == [(a, b)]
    assert run_checks(full=True)["checks"]["channels"] == "healthy"


def test_the_database_refuses_a_block_over_a_booking_and_a_booking_over_a_block(
    room, make_booking, hotel, guest
):
    from django.db import connection

    from innkeeper.bookings.block_integrity import block_guard_installed

    assert block_guard_installed(connection)
    booking = make_booking()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomBlock.objects.create(
            room=room,
            start=booking.check_out - timedelta(days=1),
            end=booking.check_out,
            origin="feed:0",
            source="raw",
            external_uid="x",
        )
    later = booking.check_out + timedelta(days=5)
    RoomBlock.objects.create(
        room=room,
        start=later,
        end=later + timedelta(days=2),
        origin="feed:0",
        source="raw",
        external_uid="y",
    )
    raw = dict(
        property=hotel,
        room=room,
        guest_name="G",
        guest_email="g@example.com",
        guests=1,
        check_in=later + timedelta(days=1),
        check_out=later + timedelta(days=3),
        nights=2,
        total_price=100,
        currency="EUR",
        status="confirmed",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(reference=new_reference(), **raw)
    # A booking that holds nothing (cancelled) may share the nights; making it active may not.
    cancelled = Booking.objects.create(reference=new_reference(), **{**raw, "status": "cancelled"})
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=cancelled.pk).update(status="confirmed")
    # Moving the block onto the booking is refused too; next to it is fine.
    block = RoomBlock.objects.get(external_uid="y")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomBlock.objects.filter(pk=block.pk).update(start=booking.check_in)
    RoomBlock.objects.filter(pk=block.pk).update(start=booking.check_out)
