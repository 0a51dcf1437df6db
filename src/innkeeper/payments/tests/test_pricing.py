"""Money rules and the price fixed on a booking."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from innkeeper.bookings.services import bookings_expire_pending
from innkeeper.core.money import from_minor, quantize, to_minor, vat_included

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("10.005", "EUR", 1001),  # half up, once, here
        ("10.004", "EUR", 1000),
        ("1500.5", "JPY", 1501),  # no minor unit
        ("1.2345", "KWD", 1235),  # three decimals
        ("0", "MAD", 0),
    ],
)
def test_minor_units_and_rounding(amount, currency, minor):
    assert to_minor(Decimal(amount), currency) == minor
    assert from_minor(minor, currency) == quantize(Decimal(amount), currency)


def test_vat_contained_in_a_gross_amount():
    assert vat_included(Decimal("110.00"), Decimal("10"), "EUR") == Decimal("10.00")
    assert vat_included(Decimal("100.00"), Decimal("0"), "EUR") == Decimal("0.00")


def test_booking_price_has_tourist_tax_and_is_fixed_when_made(policy, make_booking, room_type):
    booking = make_booking()  # 3 nights x 100, 2 guests
    charges = booking.charges
    assert charges.room_subtotal == Decimal("300.00")
    assert charges.tourist_tax == Decimal("15.00")  # 2.50 x 2 guests x 3 nights
    assert charges.total == booking.total_price == Decimal("315.00")
    assert charges.vat_amount == Decimal("27.27")  # 300 x 10 / 110
    assert charges.first_night == charges.deposit_due == Decimal("105.00")
    room_type.nightly_rate = Decimal("999")
    room_type.save()
    policy.tourist_tax_per_person_night = Decimal("9")
    policy.save()
    booking.charges.refresh_from_db()
    assert booking.charges.total == Decimal("315.00")


@pytest.mark.parametrize(
    ("kind", "percent", "deposit"),
    [("none", "0", "0"), ("percentage", "30", "94.50"), ("full", "0", "315.00")],
)
def test_deposit_kinds(policy, make_booking, kind, percent, deposit):
    policy.deposit_kind, policy.deposit_percent = kind, Decimal(percent)
    policy.save()
    booking = make_booking()
    assert booking.charges.deposit_due == Decimal(deposit)
    assert booking.status == ("confirmed" if kind == "none" else "pending")


def test_unpaid_deposit_booking_expires_like_any_pending(policy, make_booking):
    booking = make_booking()
    assert booking.status == "pending" and booking.expires_at is not None
    expired = bookings_expire_pending(now=timezone.now() + timedelta(hours=1))
    assert expired == [booking.reference]
    booking.refresh_from_db()
    assert booking.status == "expired"


def test_property_without_policy_charges_room_only(make_booking):
    booking = make_booking()
    assert booking.charges.total == Decimal("300.00")
    assert booking.charges.deposit_due == Decimal("0.00")
    assert booking.status == "confirmed"


def test_booking_reads_the_policy_with_the_room_lock_not_separately(policy, make_booking):
    """The policy comes in the room-lock query (one round trip fewer per booking) and is
    the current one: a change before the booking is priced in."""
    policy.tourist_tax_per_person_night = Decimal("4.00")
    policy.save()
    with CaptureQueriesContext(connection) as queries:
        booking = make_booking()  # 3 nights x 100, 2 guests
    policy_reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and "payments_paymentpolicy" in q["sql"]
    ]
    assert len(policy_reads) == 1 and "rooms_room" in policy_reads[0]
    assert booking.charges.tourist_tax == Decimal("24.00")  # 4.00 x 2 guests x 3 nights
