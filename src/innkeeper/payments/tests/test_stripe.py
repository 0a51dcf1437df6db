"""Stripe through the real library against the local stand-in: deposit, webhooks, outage."""

from __future__ import annotations

from decimal import Decimal

import pytest

from innkeeper.bookings.models import Booking
from innkeeper.flows.deposit_paid_then_confirm import reconcile_then_confirm
from innkeeper.payments.models import LedgerEntry, Payment, Receipt
from innkeeper.testing.stripe import closed_port_url, signed_event

pytestmark = pytest.mark.django_db
DEPOSIT = {"provider": "stripe", "purpose": "deposit"}


def pay(api, booking, key="key-1", body=None):
    return api.post(
        f"/api/v1/bookings/{booking.reference}/payments",
        body or DEPOSIT,
        headers={"Idempotency-Key": key},
    )


def webhook(anon, event_type, obj, event_id):
    payload, signature = signed_event(event_type, obj, event_id)
    return anon.client.post(
        "/api/v1/payments/webhooks/stripe",
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature},
    )


def test_deposit_intent_then_webhook_confirms_booking(
    policy, make_booking, guest_api, anon, stripe_standin
):
    booking = make_booking()
    assert booking.status == "pending"
    response = pay(guest_api, booking)
    assert response.status_code == 201, response.content
    body = response.json()
    assert Decimal(body["amount"]) == Decimal("105.00")
    assert body["status"] == "requires_action"
    assert body["client_secret"].startswith(body["provider_ref"] + "_secret_")
    intent = stripe_standin.intents[body["provider_ref"]]
    assert intent["amount"] == 10500 and intent["currency"] == "eur"

    succeeded = stripe_standin.set_intent_status(body["provider_ref"], "succeeded")
    assert webhook(anon, "payment_intent.succeeded", succeeded, "evt_1").json() == {
        "result": "applied"
    }
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert list(LedgerEntry.objects.values_list("kind", "settled")) == [
        ("captured", Decimal("105.000"))
    ]
    assert Receipt.objects.count() == 1
    # The same event delivered again changes nothing.
    assert webhook(anon, "payment_intent.succeeded", succeeded, "evt_1").json() == {
        "result": "duplicate"
    }
    assert LedgerEntry.objects.count() == 1 and Receipt.objects.count() == 1


def test_webhook_with_bad_signature_is_refused(anon, stripe_standin):
    payload, signature = signed_event("payment_intent.succeeded", {"id": "pi_x"}, "evt_2")
    response = anon.client.post(
        "/api/v1/payments/webhooks/stripe",
        payload.replace("pi_x", "pi_y"),
        content_type="application/json",
        headers={"Stripe-Signature": signature},
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_signature"


def test_sequential_replays_of_one_key_charge_once(policy, make_booking, guest_api, stripe_standin):
    booking = make_booking()
    ids = {pay(guest_api, booking).json()["id"] for _ in range(3)}
    assert len(ids) == 1
    assert stripe_standin.count("POST", "/v1/payment_intents") == 1
    # A new key for the same debt reuses the open payment instead of a second intent.
    assert pay(guest_api, booking, key="key-2").json()["id"] in ids
    assert stripe_standin.count("POST", "/v1/payment_intents") == 1
    reused = pay(guest_api, booking, body={**DEPOSIT, "purpose": "balance"})
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"


def test_provider_down_keeps_booking_pending_and_reconciliation_settles(
    policy, make_booking, guest_api, stripe_standin, settings
):
    booking = make_booking()
    settings.STRIPE_API_BASE = closed_port_url()
    for _ in range(2):  # the client retries with the same key while Stripe is down
        response = pay(guest_api, booking)
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        problem = response.json()
        assert problem["code"] == "payment_provider_unavailable"
        assert problem["payment_status"] == "provider_unavailable"
    booking.refresh_from_db()
    assert booking.status == "pending"
    assert Payment.objects.get().attempts == 2

    settings.STRIPE_API_BASE = stripe_standin.url  # the provider is back
    report = reconcile_then_confirm()
    assert (report.checked, report.still_open) == (1, 1)
    payment = Payment.objects.get()
    assert payment.status == "requires_action" and payment.provider_ref
    stripe_standin.set_intent_status(payment.provider_ref, "succeeded")  # guest paid; no webhook
    report = reconcile_then_confirm(all_open=True)
    assert (report.settled, len(report.differences)) == (1, 1)
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    # A late retry of the original request shows the settled payment; still one intent.
    assert pay(guest_api, booking).json()["status"] == "succeeded"
    assert stripe_standin.count("POST", "/v1/payment_intents") == 1
    assert LedgerEntry.objects.filter(kind="captured").count() == 1


def test_stripe_refund_after_cancellation(
    policy, make_booking, guest_api, staff_api, stripe_standin
):
    booking = make_booking()
    ref = pay(guest_api, booking).json()["provider_ref"]
    stripe_standin.set_intent_status(ref, "succeeded")
    reconcile_then_confirm(all_open=True)
    response = staff_api.post(f"/api/v1/bookings/{booking.reference}/cancel", {"reason": "x"})
    assert response.status_code == 200
    assert stripe_standin.count("POST", "/v1/refunds") == 1  # 7 days ahead: free, all back
    assert next(iter(stripe_standin.refunds.values()))["amount"] == 10500
    statement = guest_api.get(f"/api/v1/bookings/{booking.reference}/payments").json()
    assert Decimal(statement["paid"]) == 0
    assert [e["kind"] for e in statement["ledger"]] == ["captured", "refunded"]
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"


def test_unsent_payment_of_an_expired_booking_is_closed_not_retried(
    policy, make_booking, guest_api, stripe_standin, settings
):
    booking = make_booking()
    settings.STRIPE_API_BASE = closed_port_url()
    assert pay(guest_api, booking).status_code == 503
    Booking.objects.filter(pk=booking.pk).update(status="expired")
    settings.STRIPE_API_BASE = stripe_standin.url
    report = reconcile_then_confirm()
    assert (report.checked, report.failed) == (1, 1)
    assert Payment.objects.get().status == "failed"
    assert stripe_standin.count("POST", "/v1/payment_intents") == 0
    assert list(LedgerEntry.objects.values_list("kind", "settled")) == [("failed", Decimal(0))]


def test_scheduler_runs_reconciliation_every_five_minutes(
    policy, make_booking, guest_api, stripe_standin, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from innkeeper.jobs.schedule import PERIODIC_JOBS, scheduler_tick
    from innkeeper.testing.jobs import drain

    assert PERIODIC_JOBS["payments.reconcile"].every == timedelta(minutes=5)
    booking = make_booking()
    settings.STRIPE_API_BASE = closed_port_url()
    assert pay(guest_api, booking).status_code == 503
    settings.STRIPE_API_BASE = stripe_standin.url

    now = timezone.now()
    assert "payments.reconcile" in scheduler_tick(owner="test", now=now)
    assert "payments.reconcile" not in scheduler_tick(owner="test", now=now + timedelta(minutes=4))
    drain()  # the real worker code runs the job
    payment = Payment.objects.get()
    assert payment.status == "requires_action" and payment.provider_ref
    assert stripe_standin.count("POST", "/v1/payment_intents") == 1
    assert "payments.reconcile" in scheduler_tick(owner="test", now=now + timedelta(minutes=6))
