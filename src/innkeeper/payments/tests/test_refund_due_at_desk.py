"""Online cancel of money taken at the desk (issue 12, finding 13): the refund is *due* at the
desk, shown on the desk page and in `payments status`, until staff pay it out and record it."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from innkeeper.flows.cancel_then_refund import booking_cancel_then_refund
from innkeeper.flows.deposit_paid_then_confirm import desk_payment_then_confirm
from innkeeper.payments.ledger import paid_amount
from innkeeper.payments.models import LedgerEntry, Payment

pytestmark = pytest.mark.django_db


def _status() -> str:
    out = io.StringIO()
    call_command("payments", "status", stdout=out)
    return out.getvalue()


def test_online_cancel_of_cash_makes_a_refund_due_at_the_desk(
    policy, make_booking, guest_api, staff
):
    booking = make_booking()
    desk_payment_then_confirm(
        reference=booking.reference, actor=staff, amount=Decimal("315"), method="cash"
    )
    cancelled = guest_api.post(f"/api/v1/bookings/{booking.reference}/cancel", {"reason": "ill"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"

    (due,) = Payment.objects.filter(booking=booking, purpose="refund")
    assert (due.status, due.amount, due.method) == ("due_at_desk", Decimal("315"), "cash")
    # Nobody has handed the cash back: the ledger still says it is paid.
    assert not LedgerEntry.objects.filter(kind="refunded").exists()
    assert paid_amount(booking) == Decimal("315.00")
    assert "1 refund(s) due at the desk" in _status() and booking.reference in _status()

    desk = Client()
    desk.force_login(staff)
    page = desk.get(f"/desk/bookings/{booking.reference}/").content.decode()
    assert "Refunds due at the desk" in page and "315.00 EUR (cash)" in page
    url = f"/desk/bookings/{booking.reference}/refunds/{due.uid}/paid-out/"
    assert url in page

    done = desk.post(url, follow=True)
    assert done.status_code == 200
    assert "Recorded the refund of 315.00 EUR paid out" in done.content.decode()
    assert "Refunds due at the desk" not in done.content.decode()
    entry = LedgerEntry.objects.get(kind="refunded")
    assert entry.settled == Decimal("-315") and entry.actor == staff
    assert entry.receipt.number
    assert paid_amount(booking) == 0
    assert "0 refund(s) due at the desk" in _status()
    again = desk.post(url)
    assert again.status_code == 409


def test_refund_staff_give_at_the_desk_is_paid_out_at_once(make_booking, staff, staff_api):
    booking = make_booking()
    desk_payment_then_confirm(
        reference=booking.reference, actor=staff, amount=Decimal("100"), method="cash"
    )
    made = staff_api.post(
        f"/api/v1/bookings/{booking.reference}/refunds", {"amount": "30", "reason": "noise"}
    )
    assert made.status_code == 201
    assert [r["status"] for r in made.json()["refunds"]] == ["succeeded"]
    assert paid_amount(booking) == Decimal("70.00")


def test_guest_cannot_record_a_refund_paid_out(policy, make_booking, guest, staff):
    booking = make_booking()
    desk_payment_then_confirm(
        reference=booking.reference, actor=staff, amount=Decimal("315"), method="cash"
    )
    booking_cancel_then_refund(reference=booking.reference, actor=guest)
    due = Payment.objects.get(purpose="refund")
    client = Client()
    client.force_login(guest)
    response = client.post(f"/desk/bookings/{booking.reference}/refunds/{due.uid}/paid-out/")
    assert response.status_code in (302, 403)
    due.refresh_from_db()
    assert due.status == "due_at_desk"


def test_staff_cancelling_give_the_desk_money_back_at_once(policy, make_booking, staff, staff_api):
    booking = make_booking()
    desk_payment_then_confirm(
        reference=booking.reference, actor=staff, amount=Decimal("315"), method="card"
    )
    cancelled = staff_api.post(f"/api/v1/bookings/{booking.reference}/cancel", {"reason": "x"})
    assert cancelled.status_code == 200
    (refund,) = Payment.objects.filter(booking=booking, purpose="refund")
    assert refund.status == "succeeded"
    assert paid_amount(booking) == 0
