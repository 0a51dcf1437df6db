"""Stripe Checkout through the real library against the stand-in: the session for the deposit,
settling from the webhook or the return page exactly once, and holds that end."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from innkeeper.bookings.models import Booking, BookingEvent
from innkeeper.core.errors import InvalidTransition
from innkeeper.core.models import AuditEvent
from innkeeper.flows.cancel_then_refund import booking_cancel_then_refund
from innkeeper.flows.pay_online import (
    checkout_return_then_confirm,
    checkout_then_confirm,
    expire_holds,
)
from innkeeper.payments.models import LedgerEntry, Payment, Receipt
from innkeeper.payments.settle import PaymentProviderUnavailable
from innkeeper.testing.stripe import closed_port_url, signed_event

pytestmark = pytest.mark.django_db
BACK = "https://hotel.example/bookings/X/payment/return/?session_id={CHECKOUT_SESSION_ID}"
CANCEL = "https://hotel.example/bookings/X/payment/cancelled/"


def start(booking: Booking, actor: Any = None) -> Any:
    return checkout_then_confirm(booking=booking, actor=actor, success_url=BACK, cancel_url=CANCEL)


def webhook(anon: Any, event_type: str, obj: dict[str, Any], event_id: str) -> Any:
    payload, signature = signed_event(event_type, obj, event_id)
    return anon.client.post(
        "/api/v1/payments/webhooks/stripe",
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature},
    )


def session_of(standin: Any, url: str) -> dict[str, Any]:
    return standin.sessions[url.rsplit("/", 1)[1]]


def test_deposit_session_is_made_once_for_the_hold(policy, make_booking, guest, stripe_standin):
    booking = make_booking()
    first = start(booking, guest)
    assert first.url.startswith(f"{stripe_standin.url}/pay/cs_test_")
    session = session_of(stripe_standin, first.url)
    assert (session["amount_total"], session["currency"]) == (10500, "eur")  # first night + VAT
    assert session["client_reference_id"] == booking.reference
    assert session["metadata"] == {
        "payment_uid": str(first.payment.uid),
        "booking": booking.reference,
    }
    assert session["success_url"] == BACK and session["cancel_url"] == CANCEL
    # Stripe keeps a session open >= 30 minutes; the hold (30 minutes) ends before it.
    assert session["expires_at"] >= int(booking.expires_at.timestamp())
    payment = Payment.objects.get()
    assert payment.hosted_checkout and payment.provider_ref == session["id"]
    assert payment.status == "requires_action" and payment.actor == guest
    # A double click or the back button: the same session, no second one at Stripe.
    assert start(booking, guest).url == first.url
    assert stripe_standin.count("POST", "/v1/checkout/sessions") == 1
    event = AuditEvent.objects.get(action="payment.checkout_started")
    assert (event.target, event.actor, event.details["session"]) == (
        booking.reference,
        guest,
        session["id"],
    )


def test_webhook_confirms_and_return_page_after_it_adds_nothing(
    policy, make_booking, anon, stripe_standin
):
    booking = make_booking()
    session_id = start(booking).url.rsplit("/", 1)[1]
    paid = stripe_standin.pay(session_id)
    assert webhook(anon, "checkout.session.completed", paid, "evt_c1").json() == {
        "result": "applied"
    }
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert webhook(anon, "checkout.session.completed", paid, "evt_c1").json() == {
        "result": "duplicate"
    }
    assert checkout_return_then_confirm(booking=booking) == []  # nothing open any more
    assert list(LedgerEntry.objects.values_list("kind", "settled", "provider_ref")) == [
        ("captured", Decimal("105.000"), session_id)
    ]
    assert Receipt.objects.count() == 1
    assert BookingEvent.objects.filter(booking=booking, to_status="confirmed").count() == 1
    assert AuditEvent.objects.filter(action="booking.deposit_paid").count() == 1


def test_return_page_confirms_first_and_the_late_webhook_changes_nothing(
    policy, make_booking, anon, stripe_standin
):
    booking = make_booking()
    session_id = start(booking).url.rsplit("/", 1)[1]
    paid = stripe_standin.pay(session_id)
    [payment] = checkout_return_then_confirm(booking=booking)
    assert payment.status == "succeeded"
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert webhook(anon, "checkout.session.completed", paid, "evt_c2").status_code == 200
    assert LedgerEntry.objects.filter(kind="captured").count() == 1
    assert Receipt.objects.count() == 1
    assert BookingEvent.objects.filter(booking=booking, to_status="confirmed").count() == 1
    with pytest.raises(InvalidTransition) as refused:
        start(booking)
    assert refused.value.code == "booking_not_payable"


def test_unpaid_return_leaves_the_booking_pending(policy, make_booking, stripe_standin):
    booking = make_booking()
    start(booking)
    [payment] = checkout_return_then_confirm(booking=booking)
    assert payment.status == "requires_action"
    assert Booking.objects.get(pk=booking.pk).status == "pending"
    assert not LedgerEntry.objects.exists()


def test_abandoned_checkout_expires_with_the_hold_and_frees_the_room(
    policy, make_booking, stripe_standin
):
    booking = make_booking()
    session_id = start(booking).url.rsplit("/", 1)[1]
    assert expire_holds(now=booking.expires_at - timedelta(seconds=1)) == []
    assert expire_holds(now=booking.expires_at + timedelta(seconds=1)) == [booking.reference]
    assert Booking.objects.get(pk=booking.pk).status == "expired"
    # Nobody can pay it any more: the session was expired at Stripe first.
    assert stripe_standin.sessions[session_id]["status"] == "expired"
    assert stripe_standin.count("POST", f"/v1/checkout/sessions/{session_id}/expire") == 1
    assert "expired" in stripe_standin.pay(session_id)
    assert Payment.objects.get().status == "failed"
    assert list(LedgerEntry.objects.values_list("kind", "settled")) == [("failed", Decimal(0))]
    assert make_booking().status == "pending"  # the same room and nights, free again


def test_paid_just_before_the_hold_ends_confirms_instead_of_expiring(
    policy, make_booking, stripe_standin
):
    booking = make_booking()
    session_id = start(booking).url.rsplit("/", 1)[1]
    stripe_standin.pay(session_id)  # the webhook is late: it has not arrived
    assert expire_holds(now=booking.expires_at + timedelta(seconds=1)) == []
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"
    assert LedgerEntry.objects.filter(kind="captured").count() == 1


def test_hold_is_kept_while_stripe_is_down_but_not_past_its_sessions(
    policy, make_booking, stripe_standin, settings
):
    booking = make_booking()
    start(booking)
    settings.STRIPE_API_BASE = closed_port_url()
    assert expire_holds(now=booking.expires_at + timedelta(minutes=1)) == []
    assert Booking.objects.get(pk=booking.pk).status == "pending"
    # 31 minutes past the hold no session made during it can still be paid at Stripe.
    later = booking.expires_at + timedelta(minutes=32)
    assert expire_holds(now=later) == [booking.reference]


def test_session_expired_at_stripe_then_guest_tries_again(
    policy, make_booking, anon, stripe_standin
):
    booking = make_booking()
    first = start(booking)
    expired = stripe_standin.expire_session(first.url.rsplit("/", 1)[1])
    assert webhook(anon, "checkout.session.expired", expired, "evt_e1").json() == {
        "result": "applied"
    }
    assert Payment.objects.get().status == "failed"
    assert Booking.objects.get(pk=booking.pk).status == "pending"  # the hold still runs
    second = start(booking)
    assert second.url != first.url and second.payment.pk != first.payment.pk


def test_no_session_after_the_hold_ended_or_while_stripe_is_down(
    policy, make_booking, stripe_standin, settings
):
    booking = make_booking()
    Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now())
    with pytest.raises(InvalidTransition) as ended:
        start(Booking.objects.get(pk=booking.pk))
    assert ended.value.code == "hold_expired"
    other = make_booking(
        check_in=booking.check_out, check_out=booking.check_out + timedelta(days=1)
    )
    settings.STRIPE_API_BASE = closed_port_url()
    with pytest.raises(PaymentProviderUnavailable) as down:
        start(other)
    assert down.value.code == "payment_provider_unavailable"
    assert Payment.objects.get().status == "provider_unavailable"
    settings.STRIPE_API_BASE = stripe_standin.url
    assert start(other).url  # the same payment gets its session on the next click
    assert Payment.objects.count() == 1


def test_refund_of_a_checkout_payment_refunds_its_payment_intent(
    policy, make_booking, stripe_standin
):
    booking = make_booking()
    session_id = start(booking).url.rsplit("/", 1)[1]
    stripe_standin.pay(session_id)
    checkout_return_then_confirm(booking=booking)
    booking_cancel_then_refund(reference=booking.reference, actor=None, reason="plans changed")
    [refund] = stripe_standin.refunds.values()
    assert refund["payment_intent"] == stripe_standin.sessions[session_id]["payment_intent"]
    assert refund["amount"] == 10500
    assert LedgerEntry.objects.filter(kind="refunded").count() == 1


def test_api_payment_during_a_checkout_reuses_it_and_makes_no_intent(
    policy, make_booking, guest_api, stripe_standin, settings
):
    booking = make_booking()
    settings.STRIPE_API_BASE = closed_port_url()
    with pytest.raises(PaymentProviderUnavailable):
        start(booking)
    settings.STRIPE_API_BASE = stripe_standin.url
    response = guest_api.post(
        f"/api/v1/bookings/{booking.reference}/payments",
        {"provider": "stripe", "purpose": "deposit"},
        headers={"Idempotency-Key": "api-1"},
    )
    # The open Checkout payment is the deposit's payment: never a PaymentIntent beside it.
    assert response.status_code == 201, response.content
    assert response.json()["id"] == str(Payment.objects.get().uid)
    assert stripe_standin.count("POST", "/v1/payment_intents") == 0
    session = start(booking)
    assert session.url and Payment.objects.count() == 1


def test_delayed_payment_method_settles_on_its_later_event(
    policy, make_booking, anon, stripe_standin
):
    """A bank debit completes the session unpaid; the money comes (or not) in a later event."""
    booking = make_booking()
    session = session_of(stripe_standin, start(booking).url)
    unpaid = {**session, "status": "complete", "payment_status": "unpaid"}
    assert webhook(anon, "checkout.session.completed", unpaid, "evt_d1").status_code == 200
    assert Payment.objects.get().status == "processing"
    assert Booking.objects.get(pk=booking.pk).status == "pending"
    paid = {**unpaid, "payment_status": "paid"}
    assert webhook(anon, "checkout.session.async_payment_succeeded", paid, "evt_d2").json() == {
        "result": "applied"
    }
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"
    # A failure reported after success is out of order for a charge: it changes nothing.
    assert webhook(anon, "checkout.session.async_payment_failed", unpaid, "evt_d3").json() == {
        "result": "ignored"
    }
    assert LedgerEntry.objects.filter(kind="captured").count() == 1


def test_delayed_payment_that_fails_leaves_the_hold_to_run_out(
    policy, make_booking, anon, stripe_standin
):
    booking = make_booking()
    session = session_of(stripe_standin, start(booking).url)
    unpaid = {**session, "status": "complete", "payment_status": "unpaid"}
    webhook(anon, "checkout.session.completed", unpaid, "evt_f1")
    webhook(anon, "checkout.session.async_payment_failed", unpaid, "evt_f2")
    payment = Payment.objects.get()
    assert (payment.status, payment.last_error) == ("failed", "the payment failed after checkout")
    assert Booking.objects.get(pk=booking.pk).status == "pending"
