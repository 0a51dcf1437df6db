"""A guest who stayed and paid: a booking in the past, a desk payment with its receipt,
an email sent to them and audit rows about them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking, BookingStatus
from innkeeper.notifications.models import SentEmail
from innkeeper.payments.desk import desk_payment_record
from innkeeper.rooms.models import PaymentPolicy


def move_to_past(booking: Booking, *, ended_days_ago: int, today: date) -> Booking:
    """A stay that ended `ended_days_ago` days ago (booking_create refuses past dates)."""
    check_out = today - timedelta(days=ended_days_ago)
    Booking.objects.filter(pk=booking.pk).update(
        check_in=check_out - timedelta(days=booking.nights),
        check_out=check_out,
        status=BookingStatus.CHECKED_OUT,
    )
    booking.refresh_from_db()
    return booking


@pytest.fixture
def stayed(
    policy: PaymentPolicy, make_booking: Callable[..., Booking], staff: User, today: date
) -> Callable[..., Booking]:
    """`stayed(guest=..., ended_days_ago=...)`: a paid, finished stay of that guest."""

    def make(*, guest: User, ended_days_ago: int = 30, **fields: Any) -> Booking:
        booking = make_booking(
            guest=guest,
            created_by=guest,
            guest_name=guest.name,
            guest_email=guest.email,
            guest_phone="+212 600 000 001",
            notes="Allergic to cats",
            **fields,
        )
        desk_payment_record(
            reference=booking.reference, actor=staff, amount=Decimal("50.00"), method="cash"
        )
        SentEmail.objects.create(
            key=f"test:{booking.reference}",
            booking=booking,
            kind="confirmed",
            to=guest.email,
            subject=f"Booking {booking.reference} confirmed",
            status="sent",
            claimed_at=timezone.now(),
            sent_at=timezone.now(),
        )
        return move_to_past(booking, ended_days_ago=ended_days_ago, today=today)

    return make
