"""The folio on the desk booking page: post and void extras, check a guest out who owes
money (refused with a clear message; paid now; invoiced later with a reason), invoices."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from innkeeper.bookings.models import BookingStatus as S
from innkeeper.core.models import AuditEvent
from innkeeper.payments.models import FolioCharge, Invoice
from innkeeper.testing.folio import catalogue, in_house, taxed_policy
from innkeeper.testing.web import field_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client: Client, staff: Any) -> Client:
    client.force_login(staff)
    return client


@pytest.fixture
def stay_in(hotel, room, guest, staff, today):
    taxed_policy(hotel)
    catalogue(hotel)
    return in_house(room, guest, staff, today)  # owes 210.00


def test_staff_post_and_void_extras_on_the_page(desk: Client, stay_in: Any) -> None:
    url = f"/desk/bookings/{stay_in.reference}/"
    page = desk.get(url).content.decode()
    assert 'id="folio"' in page and "Breakfast (12.50 EUR)" in page
    assert "Laundry" not in page  # retired from the catalogue
    posted = desk.post(
        f"{url}folio/extras/",
        {"extra-code": "breakfast", "extra-quantity": "2", "extra-note": "room service"},
        follow=True,
    )
    text = posted.content.decode()
    assert "Posted 2 x Breakfast" in text and "Breakfast (room service)" in text
    bad = desk.post(f"{url}folio/extras/", {"extra-code": "breakfast", "extra-quantity": "0"})
    assert bad.status_code == 422 and field_error(bad.content.decode(), "extra-quantity")

    charge = FolioCharge.objects.get()
    void_url = f"{url}folio/extras/{charge.uid}/void/"
    no_reason = desk.post(void_url, {"reason": ""}, follow=True)
    assert "Say why the extra is voided" in no_reason.content.decode()
    desk.post(void_url, {"reason": "wrong room"})
    charge.refresh_from_db()
    assert charge.voided_at is not None and charge.void_reason == "wrong room"
    page = desk.get(url).content.decode()
    assert "<strong>void</strong>: wrong room" in page and "folio.extra_voided" in page


def test_check_out_from_today_is_refused_with_the_balance_and_sent_to_the_folio(
    desk: Client, stay_in: Any
) -> None:
    refused = desk.post(f"/desk/bookings/{stay_in.reference}/check-out/", follow=True)
    text = refused.content.decode()
    assert refused.redirect_chain[-1][0] == f"/desk/bookings/{stay_in.reference}/#check-out"
    assert "Youssef Benali still owes 210.00 EUR" in text
    assert "Record payment and check out" in text and "Check out and invoice later" in text
    stay_in.refresh_from_db()
    assert stay_in.status == S.CHECKED_IN


def test_invoice_later_needs_a_reason_beside_the_field_then_checks_out(
    desk: Client, stay_in: Any, staff: Any
) -> None:
    url = f"/desk/bookings/{stay_in.reference}/folio/check-out/"
    missing = desk.post(url, {"mode": "invoice_later", "out-later-reason": ""})
    assert missing.status_code == 422
    assert "Say why the balance is invoiced later" in field_error(
        missing.content.decode(), "out-later-reason"
    )
    done = desk.post(
        url, {"mode": "invoice_later", "out-later-reason": "Travel agent invoice"}, follow=True
    )
    text = done.content.decode()
    assert "checked out; final invoice issued" in text
    invoice = Invoice.objects.get(booking=stay_in)
    assert invoice.number in text and "to invoice later" in text
    # Still owing after check-out: the desk can record the late payment on the same page.
    assert "Record a desk payment" in text
    audit = AuditEvent.objects.get(action="folio.invoice_later")
    assert audit.actor == staff and audit.source == "web"
    html = desk.get(f"/desk/invoices/{invoice.number}/?format=html").content.decode()
    assert "Travel agent invoice" in html and "210.00 EUR" in html


def test_paying_less_than_owed_at_check_out_records_nothing(desk: Client, stay_in: Any) -> None:
    url = f"/desk/bookings/{stay_in.reference}/folio/check-out/"
    short = desk.post(url, {"mode": "pay", "out-pay-method": "cash", "out-pay-amount": "10"})
    assert short.status_code == 409
    error = field_error(short.content.decode(), "out-pay-amount")
    assert "owes 210.00 EUR: 10.00 would leave 200.00 unpaid" in error
    assert not stay_in.ledger.exists()
    paid = desk.post(url, {"mode": "pay", "out-pay-method": "cash", "out-pay-amount": "210.00"})
    assert paid.status_code == 302
    stay_in.refresh_from_db()
    assert stay_in.status == S.CHECKED_OUT
    assert Invoice.objects.get(booking=stay_in).balance == 0
