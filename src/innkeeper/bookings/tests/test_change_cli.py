"""`innkeeper bookings change`: the RUNBOOK's "move the booking to another room", run as a
real subprocess against the test database."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from innkeeper.bookings.models import Booking
from innkeeper.core.models import AuditEvent
from innkeeper.rooms.models import Room
from innkeeper.testing.cli import innkeeper

pytestmark = pytest.mark.django_db(transaction=True)


def test_move_to_another_room_dry_run_then_for_real(make_booking, room):
    Room.objects.create(property=room.property, room_type=room.room_type, number="102")
    booking = make_booking()
    quote = innkeeper("bookings", "change", booking.reference, "--room", "102", "--dry-run")
    assert quote.returncode == 0, quote.stderr
    assert "Would change (dry run, nothing changed)" in quote.stdout
    assert "after:  room 102 (Double)" in quote.stdout
    assert Booking.objects.get(pk=booking.pk).room.number == "101"

    moved = innkeeper(
        "bookings", "change", booking.reference, "--room", "102", "--reason", "leak", "--json"
    )
    assert moved.returncode == 0, moved.stderr
    out = json.loads(moved.stdout)
    assert out["applied"] is True and out["changes"]["room_number"] == ["101", "102"]
    assert Booking.objects.get(pk=booking.pk).room.number == "102"
    audit = AuditEvent.objects.get(action="booking.changed")
    assert audit.source == "cli" and "@" in audit.actor_label
    assert audit.details["reason"] == "leak"
    verify = innkeeper("bookings", "verify")
    assert verify.returncode == 0, verify.stdout


def test_refusals_are_clean_errors(make_booking, stay):
    booking = make_booking()
    make_booking(check_in=stay[1], check_out=stay[1] + timedelta(days=2))
    clash = innkeeper(
        "bookings", "change", booking.reference, "--check-out", str(stay[1] + timedelta(days=1))
    )
    assert clash.returncode == 1
    assert "already booked" in clash.stderr and "Traceback" not in clash.stderr
    bad_date = innkeeper("bookings", "change", booking.reference, "--check-in", "soon")
    assert bad_date.returncode == 2 and "not a date" in bad_date.stderr
    missing = innkeeper("bookings", "change", "IK-NOPE0000", "--guests", "1")
    assert missing.returncode == 1 and "No booking" in missing.stderr
