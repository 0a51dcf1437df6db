"""`innkeeper payments status` lists the guests who left owing money (a real subprocess)."""

from __future__ import annotations

import pytest

from innkeeper.flows.deposit_paid_then_confirm import desk_payment_then_confirm
from innkeeper.flows.settle_then_check_out import booking_check_out_settled
from innkeeper.payments.folio import extra_post
from innkeeper.testing.cli import innkeeper
from innkeeper.testing.folio import catalogue, in_house, taxed_policy

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_payments_status_lists_departures_owing_money(hotel, room, guest, staff, today):
    taxed_policy(hotel)
    catalogue(hotel)
    booking = in_house(room, guest, staff, today, name="Omar Tazi")
    booking_check_out_settled(
        reference=booking.reference, actor=staff, invoice_later=True, reason="ACME pays"
    )
    status = innkeeper("payments", "status")
    assert status.returncode == 0, status.stderr
    assert "1 guest(s) checked out owing money" in status.stdout
    line = next(text for text in status.stdout.splitlines() if booking.reference in text)
    assert "210.00 EUR" in line and "Omar Tazi" in line and "ACME pays" in line

    # The late payment settles it; a minibar found afterwards makes the stay owe again.
    desk_payment_then_confirm(
        reference=booking.reference, actor=staff, amount=booking.total_price, method="transfer"
    )
    assert "0 guest(s) checked out owing money" in innkeeper("payments", "status").stdout
    extra_post(reference=booking.reference, actor=staff, code="minibar")
    late = innkeeper("payments", "status").stdout
    assert "1 guest(s) checked out owing money" in late
    assert f"{booking.reference}  8.00 EUR" in late
