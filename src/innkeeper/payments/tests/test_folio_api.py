"""/api/v1 folio: read it, post and void extras (Idempotency-Key), check-out refused with
409 `balance_due` until paid or invoiced later, payments after check-out, invoices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from innkeeper.accounts.services import token_issue
from innkeeper.conftest import ApiClient, make_user
from innkeeper.core.models import AuditEvent
from innkeeper.payments.models import FolioCharge, Invoice
from innkeeper.testing.folio import catalogue, in_house, taxed_policy

pytestmark = [pytest.mark.integrity, pytest.mark.django_db]
URL = "/api/v1/bookings"


@pytest.fixture
def stay_in(hotel, room, guest, staff, today):
    taxed_policy(hotel)
    catalogue(hotel)
    return in_house(room, guest, staff, today)  # 210.00: 200.00 room + 10.00 tourist tax


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    return body


def test_posting_an_extra_with_a_key_posts_it_once(stay_in, staff_api):
    url = f"{URL}/{stay_in.reference}/folio/extras"
    key = {"Idempotency-Key": "breakfast-room-101"}
    first = staff_api.post(url, {"code": "breakfast", "quantity": 2}, headers=key)
    assert first.status_code == 201, first.content
    again = staff_api.post(url, {"code": "breakfast", "quantity": 2}, headers=key)
    assert again.status_code == 201 and again.json() == first.json()
    assert first.json()["amount"] == "25.00" and first.json()["vat_amount"] == "2.27"
    assert first.json()["vat_percent"] == "10.00"
    assert FolioCharge.objects.count() == 1
    problem(staff_api.post(url, {"code": "minibar"}, headers=key), 422, "idempotency_key_reused")
    problem(staff_api.post(url, {"code": "spa"}), 422, "extra_not_found")
    assert staff_api.post(url, {"code": "breakfast", "quantity": 100}).status_code == 422
    assert staff_api.post(url, {"code": "breakfast", "extra": 1}).status_code == 422


def test_guests_read_their_own_folio_but_cannot_post(stay_in, guest_api, staff_api):
    folio_url = f"{URL}/{stay_in.reference}/folio"
    problem(guest_api.post(f"{folio_url}/extras", {"code": "breakfast"}), 403, "staff_only")
    stranger = ApiClient(token_issue(user=make_user("other@example.com")).token)
    problem(stranger.get(folio_url), 404, "booking_not_found")
    mine = guest_api.get(folio_url)
    assert mine.status_code == 200
    assert mine.json()["balance_due"] == "210.00"


def test_void_through_the_api_then_the_folio_shows_it(stay_in, staff_api):
    posted = staff_api.post(f"{URL}/{stay_in.reference}/folio/extras", {"code": "minibar"})
    void_url = f"{URL}/{stay_in.reference}/folio/extras/{posted.json()['id']}/void"
    problem(staff_api.post(void_url, {}), 422, "invalid_input")
    voided = staff_api.post(void_url, {"reason": "not ours"}, headers={"Idempotency-Key": "v1"})
    assert voided.status_code == 200 and voided.json()["voided"] is True
    replay = staff_api.post(void_url, {"reason": "not ours"}, headers={"Idempotency-Key": "v1"})
    assert replay.status_code == 200 and replay.json() == voided.json()
    problem(staff_api.post(void_url, {"reason": "again"}), 409, "extra_already_voided")
    folio = staff_api.get(f"{URL}/{stay_in.reference}/folio").json()
    extra = next(line for line in folio["lines"] if line["kind"] == "extra")
    assert extra["voided"] is True and extra["void_reason"] == "not ours"
    assert folio["charged"] == "210.00"


def test_check_out_owing_money_is_409_until_paid(stay_in, staff_api):
    ref = stay_in.reference
    staff_api.post(f"{URL}/{ref}/folio/extras", {"code": "breakfast", "quantity": 2})
    body = problem(staff_api.post(f"{URL}/{ref}/check-out"), 409, "balance_due")
    assert body["balance_due"] == "235.00" and body["currency"] == "EUR"
    assert "Record a payment" in body["detail"]
    paid = staff_api.post(
        f"{URL}/{ref}/payments",
        {"provider": "pay_at_property", "purpose": "balance", "method": "card"},
        headers={"Idempotency-Key": "checkout-pay"},
    )
    assert paid.status_code == 201 and paid.json()["amount"] == "235.00"
    out = staff_api.post(f"{URL}/{ref}/check-out")
    assert out.status_code == 200 and out.json()["status"] == "checked_out"
    folio = staff_api.get(f"{URL}/{ref}/folio").json()
    assert folio["balance_due"] == "0.00" and folio["payable"] is False
    (invoice,) = folio["invoices"]
    assert invoice["settlement"] == "settled" and invoice["balance"] == "0.00"
    html = staff_api.get(f"/api/v1/invoices/{invoice['number']}", format="html")
    assert html.status_code == 200 and html["X-Checksum-SHA256"] == invoice["html_sha256"]
    text = html.content.decode()
    for line in ("Room 101", "Tourist tax", "Breakfast", "Payment (card)", "Balance due"):
        assert line in text


def test_invoice_later_then_a_payment_after_check_out(stay_in, staff_api, guest_api):
    ref = stay_in.reference
    problem(
        staff_api.post(f"{URL}/{ref}/check-out", {"invoice_later": True}), 422, "reason_required"
    )
    out = staff_api.post(
        f"{URL}/{ref}/check-out", {"invoice_later": True, "reason": "Company pays: ACME"}
    )
    assert out.status_code == 200 and out.json()["status"] == "checked_out"
    assert AuditEvent.objects.filter(action="folio.invoice_later", target=ref).count() == 1
    invoice = Invoice.objects.get(booking=stay_in)
    assert invoice.settlement == "invoice_later" and invoice.balance == Decimal("210.00")
    assert guest_api.get(f"/api/v1/invoices/{invoice.number}").status_code == 200

    folio = staff_api.get(f"{URL}/{ref}/folio").json()
    assert folio["payable"] is True and folio["balance_due"] == "210.00"
    late = staff_api.post(
        f"{URL}/{ref}/payments",
        {"provider": "pay_at_property", "purpose": "balance", "method": "transfer"},
    )
    assert late.status_code == 201 and late.json()["status"] == "succeeded"
    statement = staff_api.post(f"{URL}/{ref}/folio/statements")
    assert statement.status_code == 201 and statement.json()["balance"] == "0.00"
    assert statement.json()["number"].endswith("-000002")
    again = staff_api.post(
        f"{URL}/{ref}/payments",
        {"provider": "pay_at_property", "purpose": "balance", "method": "cash"},
    )
    problem(again, 409, "booking_not_payable")


def test_the_folio_endpoints_are_in_the_openapi(anon):
    paths = anon.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/bookings/{reference}/folio",
        "/api/v1/bookings/{reference}/folio/extras",
        "/api/v1/bookings/{reference}/folio/extras/{extra_id}/void",
        "/api/v1/bookings/{reference}/folio/statements",
        "/api/v1/invoices/{number}",
    ):
        assert path in paths, path
    check_out = paths["/api/v1/bookings/{reference}/check-out"]["post"]
    assert "409" in check_out["responses"]
