"""The database itself refuses overlapping active bookings, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from innkeeper.bookings.integrity import guard_installed
from innkeeper.bookings.models import Booking

pytestmark = pytest.mark.integrity


def _raw_insert(
    room_id: int,
    property_id: int,
    check_in: date,
    check_out: date,
    status: str = "confirmed",
    reference: str = "IK-RAW00001",
) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bookings_booking (reference, property_id, room_id, guest_name,"
            " guest_email, guest_phone, guests, check_in, check_out, nights, total_price,"
            " currency, status, notes, cancel_reason, created_at, updated_at)"
            " VALUES (%s, %s, %s, 'Raw', 'raw@example.com', '', 1, %s, %s, %s, 100, 'EUR', %s,"
            " '', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            [
                reference,
                property_id,
                room_id,
                check_in,
                check_out,
                (check_out - check_in).days,
                status,
            ],
        )


def test_guard_is_installed(db):
    assert guard_installed(connection)


def test_raw_insert_of_overlap_is_rejected(make_booking, room, stay):
    make_booking()
    with pytest.raises(IntegrityError):
        _raw_insert(
            room.pk, room.property_id, stay[0] + timedelta(days=1), stay[1] + timedelta(days=1)
        )
    assert Booking.objects.count() == 1


def test_raw_insert_back_to_back_is_accepted(make_booking, room, stay):
    make_booking()
    _raw_insert(room.pk, room.property_id, stay[1], stay[1] + timedelta(days=2))
    _raw_insert(
        room.pk, room.property_id, stay[0] - timedelta(days=2), stay[0], reference="IK-RAW00002"
    )
    assert Booking.objects.count() == 3


def test_raw_insert_of_inactive_overlap_is_accepted(make_booking, room, stay):
    make_booking()
    _raw_insert(room.pk, room.property_id, stay[0], stay[1], status="cancelled")
    assert Booking.objects.filter(status="cancelled").count() == 1


def test_raw_update_into_overlap_is_rejected(make_booking, room, stay):
    make_booking()
    later = make_booking(check_in=stay[1], check_out=stay[1] + timedelta(days=3))
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE bookings_booking SET check_in = %s WHERE id = %s",
            [stay[1] - timedelta(days=1), later.pk],
        )


def test_raw_reactivation_into_overlap_is_rejected(make_booking, room, stay):
    first = make_booking()
    Booking.objects.filter(pk=first.pk).update(status="cancelled")
    make_booking()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE bookings_booking SET status = 'confirmed' WHERE id = %s", [first.pk])


def test_check_out_after_check_in_is_a_database_rule(room, stay):
    with pytest.raises(IntegrityError):
        _raw_insert(room.pk, room.property_id, stay[0], stay[0])


@pytest.mark.django_db(transaction=True)
def test_guard_survives_migrating_to_zero_and_back(room):
    """Table rebuilds drop SQLite triggers; migrate must always leave the guard in place."""
    call_command("migrate", "bookings", "zero", verbosity=0)
    assert not guard_installed(connection)
    call_command("migrate", verbosity=0)
    assert guard_installed(connection)
