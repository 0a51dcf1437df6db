"""The payments API: desk payments, refunds, statement, receipts, declared responses."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from innkeeper.accounts.services import token_issue
from innkeeper.conftest import ApiClient, make_user

pytestmark = pytest.mark.django_db


def desk(staff_api, booking, **body):
    return staff_api.post(
        f"/api/v1/bookings/{booking.reference}/payments",
        {"provider": "pay_at_property", "purpose": "balance", "method": "cash", **body},
    )


def test_staff_records_desk_payment_and_guest_downloads_receipt(make_booking, staff_api, guest_api):
    booking = make_booking()
    response = desk(staff_api, booking, amount="100.00")
    assert response.status_code == 201
    assert response.json()["status"] == "succeeded"
    assert response.json()["amount"] == "100.00"  # the currency's minor unit, not the column's
    statement = guest_api.get(f"/api/v1/bookings/{booking.reference}/payments").json()
    assert (statement["paid"], statement["balance_due"]) == ("100.00", "200.00")
    number = statement["receipts"][0]["number"]
    pdf = guest_api.get(f"/api/v1/receipts/{number}")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == statement["receipts"][0]["pdf_sha256"]
    html = staff_api.get(f"/api/v1/receipts/{number}", format="html")
    assert hashlib.sha256(html.content).hexdigest() == statement["receipts"][0]["html_sha256"]
    stranger = ApiClient(token_issue(user=make_user("other@example.com")).token)
    assert stranger.get(f"/api/v1/receipts/{number}").status_code == 404
    assert stranger.get(f"/api/v1/bookings/{booking.reference}/payments").status_code == 404


def test_guest_cannot_record_desk_payment_or_refund(make_booking, guest_api):
    booking = make_booking()
    response = desk(guest_api, booking)
    assert response.status_code == 403 and response.json()["code"] == "staff_only"
    refund = guest_api.post(f"/api/v1/bookings/{booking.reference}/refunds", {"amount": "5"})
    assert refund.status_code == 403


def test_refund_override_needs_reason_and_stays_within_paid(make_booking, staff_api):
    booking = make_booking()
    desk(staff_api, booking, amount="50")
    url = f"/api/v1/bookings/{booking.reference}/refunds"
    no_reason = staff_api.post(url, {"amount": "10"})
    assert no_reason.status_code == 422 and no_reason["Content-Type"] == "application/problem+json"
    too_much = staff_api.post(url, {"amount": "60", "reason": "goodwill"})
    assert too_much.status_code == 422 and too_much.json()["code"] == "invalid_amount"
    ok = staff_api.post(url, {"amount": "10", "reason": "goodwill"})
    assert ok.status_code == 201
    assert [Decimal(r["amount"]) for r in ok.json()["refunds"]] == [Decimal("10")]
    policy = staff_api.post(url, {})
    assert policy.status_code == 422 and policy.json()["code"] == "not_cancelled"


def test_nothing_owed_and_cancelled_bookings_are_409(make_booking, staff_api):
    booking = make_booking()
    desk(staff_api, booking)
    again = desk(staff_api, booking)
    assert again.status_code == 409 and again.json()["code"] == "nothing_owed"
    staff_api.post(f"/api/v1/bookings/{booking.reference}/cancel", {})
    late = desk(staff_api, booking)
    assert late.status_code == 409 and late.json()["code"] == "booking_not_payable"


def test_card_payments_without_keys_say_not_configured(make_booking, guest_api, settings):
    settings.STRIPE_SECRET_KEY = ""
    booking = make_booking()
    response = guest_api.post(
        f"/api/v1/bookings/{booking.reference}/payments", {"purpose": "balance"}
    )
    assert response.status_code == 503
    assert response.json()["code"] == "payment_provider_not_configured"


def test_openapi_declares_payment_endpoints(anon):
    paths = anon.get("/api/v1/openapi.json").json()["paths"]
    pay = paths["/api/v1/bookings/{reference}/payments"]
    assert {"201", "401", "403", "404", "409", "422", "503"} <= set(pay["post"]["responses"])
    assert {"200", "400", "503"} <= set(
        paths["/api/v1/payments/webhooks/stripe"]["post"]["responses"]
    )
    assert "post" in paths["/api/v1/bookings/{reference}/refunds"]
