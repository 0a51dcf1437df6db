"""Cancellation refunds follow the policy at the deadline, in the property's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from innkeeper.bookings.charges import free_cancellation_deadline
from innkeeper.flows.cancel_then_refund import booking_cancel_then_refund
from innkeeper.flows.deposit_paid_then_confirm import payment_submit_then_confirm
from innkeeper.payments.desk import desk_refund_pay_out
from innkeeper.payments.ledger import paid_amount
from innkeeper.payments.models import LedgerEntry, Payment
from innkeeper.payments.services import payment_create

pytestmark = pytest.mark.django_db


def paid_in_full(make_booking, staff):
    booking = make_booking()  # 315.00 with the riad policy; first night 105.00
    payment = payment_create(
        reference=booking.reference,
        actor=staff,
        provider="pay_at_property",
        purpose="balance",
        method="card",
    )
    payment_submit_then_confirm(payment_id=payment.pk, actor=staff)
    booking.refresh_from_db()
    assert booking.status == "confirmed" and paid_amount(booking) == Decimal("315.00")
    return booking


def cancel_at(monkeypatch, booking, guest, moment, staff):
    """The guest cancels online; paid at the desk, the refund is due there until staff pay it
    out and record it (then the ledger has it)."""
    monkeypatch.setattr(timezone, "now", lambda: moment)
    booking_cancel_then_refund(reference=booking.reference, actor=guest, reason="plans changed")
    assert not LedgerEntry.objects.filter(booking=booking, kind="refunded").exists()
    for due in Payment.objects.filter(booking=booking, purpose="refund"):
        assert due.status == "due_at_desk"
        desk_refund_pay_out(reference=booking.reference, refund_id=str(due.uid), actor=staff)
    return LedgerEntry.objects.filter(booking=booking, kind="refunded")


def test_deadline_is_48h_before_check_in_time_in_property_zone(policy, make_booking, hotel):
    booking = make_booking()
    deadline = free_cancellation_deadline(booking, booking.charges)
    # Casablanca check-in at 15:00 local; the deadline is that instant minus 48 h.
    local = deadline.astimezone(hotel.zone)
    assert (local.date(), local.hour, local.minute) == (
        booking.check_in - timedelta(days=2),
        15,
        0,
    )


def test_one_second_before_deadline_refunds_everything(
    policy, make_booking, staff, guest, monkeypatch
):
    booking = paid_in_full(make_booking, staff)
    deadline = free_cancellation_deadline(booking, booking.charges)
    refunds = cancel_at(
        monkeypatch, booking, guest, deadline.astimezone(UTC) - timedelta(seconds=1), staff
    )
    assert [r.amount for r in refunds] == [Decimal("315.000")]
    assert paid_amount(booking) == 0


def test_at_and_after_deadline_first_night_is_kept(policy, make_booking, staff, guest, monkeypatch):
    booking = paid_in_full(make_booking, staff)
    deadline = free_cancellation_deadline(booking, booking.charges)
    refunds = cancel_at(monkeypatch, booking, guest, deadline.astimezone(UTC), staff)
    assert [r.amount for r in refunds] == [Decimal("210.000")]
    assert paid_amount(booking) == Decimal("105.00")


def test_percentage_fee_after_deadline(policy, make_booking, staff, guest, monkeypatch):
    policy.late_cancel_kind, policy.late_cancel_percent = "percentage", Decimal("50")
    policy.save()
    booking = paid_in_full(make_booking, staff)
    deadline = free_cancellation_deadline(booking, booking.charges)
    refunds = cancel_at(monkeypatch, booking, guest, deadline + timedelta(hours=1), staff)
    assert [r.amount for r in refunds] == [Decimal("157.500")]


def test_naive_utc_reading_of_the_deadline_would_be_wrong(policy, make_booking, hotel):
    """Casablanca is not UTC: the deadline differs from 15:00 UTC minus 48 h."""
    booking = make_booking()
    deadline = free_cancellation_deadline(booking, booking.charges)
    naive_utc = datetime.combine(booking.check_in, hotel.check_in_time, tzinfo=UTC) - timedelta(
        hours=48
    )
    assert deadline.astimezone(UTC) == naive_utc - hotel.zone.utcoffset(
        datetime.combine(booking.check_in, hotel.check_in_time)
    )
