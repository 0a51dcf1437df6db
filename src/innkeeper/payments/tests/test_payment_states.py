"""Payment states as a state machine (issue 12, finding 12): provider news in any order never
regresses a payment, a refund that fails after it was recorded is reversed in the ledger, and a
refund request that refunds nothing says so."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction

from innkeeper.payments.ledger import entry_record, paid_amount
from innkeeper.payments.models import EntryKind, LedgerEntry, Payment, PaymentStatus, Receipt
from innkeeper.payments.providers import ProviderResult
from innkeeper.payments.settle import _locked, payment_apply
from innkeeper.testing.stripe import signed_event

pytestmark = pytest.mark.django_db
STATUSES = [status.value for status in PaymentStatus]


def pay(api, booking):
    url = f"/api/v1/bookings/{booking.reference}/payments"
    return api.post(url, {"provider": "stripe", "purpose": "deposit"})


def webhook(anon, event_type, obj, event_id):
    payload, signature = signed_event(event_type, obj, event_id)
    return anon.client.post(
        "/api/v1/payments/webhooks/stripe",
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature},
    )


def expected_status(before: str, after: str, *, refund: bool) -> str:
    """The rule written out independently of payments/states.py's table."""
    if before == after or before == "failed":
        return before
    if before == "succeeded":  # final, except a refund that fails afterwards
        return after if refund and after == "failed" else before
    if before == "due_at_desk":  # only staff paying it out moves it
        return after if refund and after == "succeeded" else before
    if after in ("created", "due_at_desk"):
        return before  # set only when a payment is made, never by later news
    if after == "provider_unavailable" and before in ("requires_action", "processing"):
        return before  # the provider has it: it cannot become unsent again
    return after


def _payment(booking, *, status: str, refund_of: Payment | None = None) -> Payment:
    payment = Payment.objects.create(
        booking=booking,
        provider="stripe",
        purpose="refund" if refund_of else "deposit",
        amount=Decimal("40") if refund_of else Decimal("105"),
        currency="EUR",
        status=status,
        refund_of=refund_of,
        provider_ref=f"ref-{status}-{bool(refund_of)}",
    )
    if status == "succeeded":
        kind = EntryKind.REFUNDED if refund_of else EntryKind.CAPTURED
        entry_record(payment=payment, kind=kind)
    return payment


def _apply_pair(booking, before: str, after: str, *, refund: bool) -> list[str]:
    """Apply `after` to a payment that is `before`; return what went wrong (if anything)."""
    charge = _payment(booking, status="succeeded") if refund else None
    payment = _payment(booking, status=before, refund_of=charge)
    paid = paid_amount(booking)
    applied = payment_apply(payment=_locked(payment.pk), result=ProviderResult(after))
    payment.refresh_from_db()
    want = expected_status(before, after, refund=refund)
    sign = -1 if refund else 1
    if want == "succeeded" and before != "succeeded":
        change = sign * payment.amount  # reached success now: recorded once
    elif refund and before == "succeeded" and want == "failed":
        change = payment.amount  # a recorded refund failed: the money is back
    else:
        change = Decimal(0)
    problems = []
    if payment.status != want or applied != (want == after):
        problems.append(f"{before} -> {after}: became {payment.status}, want {want}")
    if paid_amount(booking) != paid + change:
        problems.append(f"{before} -> {after}: paid {paid} -> {paid_amount(booking)}")
    return problems


@pytest.mark.parametrize("refund", [False, True], ids=["charge", "refund"])
def test_every_pair_of_states(policy, make_booking, refund):
    """All 7 x 7 (before, news) pairs, each in a savepoint rolled back after it (one booking:
    the 98 cases stay fast)."""
    booking = make_booking()
    problems: list[str] = []
    for before in STATUSES:
        for after in STATUSES:
            with transaction.atomic():
                problems += _apply_pair(booking, before, after, refund=refund)
                transaction.set_rollback(True)
    assert problems == []


def test_late_processing_and_canceled_never_regress_a_succeeded_charge(
    policy, make_booking, guest_api, anon, stripe_standin
):
    booking = make_booking()
    ref = pay(guest_api, booking).json()["provider_ref"]
    succeeded = stripe_standin.set_intent_status(ref, "succeeded")
    assert webhook(anon, "payment_intent.succeeded", succeeded, "evt_ok").json()["result"] == (
        "applied"
    )
    for n, late in enumerate(("processing", "canceled", "requires_payment_method")):
        event = webhook(anon, f"payment_intent.{late}", {**succeeded, "status": late}, f"e{n}")
        assert event.status_code == 200 and event.json() == {"result": "ignored"}
    payment = Payment.objects.get(provider_ref=ref)
    assert payment.status == "succeeded"
    assert list(LedgerEntry.objects.values_list("kind", flat=True)) == ["captured"]
    assert paid_amount(booking) == Decimal("105.00")
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def _stripe_paid(booking, guest_api, anon, stripe_standin) -> str:
    ref = pay(guest_api, booking).json()["provider_ref"]
    succeeded = stripe_standin.set_intent_status(ref, "succeeded")
    webhook(anon, "payment_intent.succeeded", succeeded, f"evt_paid_{ref}")
    return ref


def test_refund_failed_after_it_was_recorded_is_reversed_and_listed(
    policy, make_booking, guest_api, staff_api, anon, stripe_standin
):
    booking = make_booking()
    _stripe_paid(booking, guest_api, anon, stripe_standin)
    url = f"/api/v1/bookings/{booking.reference}/refunds"
    made = staff_api.post(url, {"amount": "40", "reason": "goodwill"})
    assert made.status_code == 201, made.content
    (refund,) = made.json()["refunds"]
    assert refund["status"] == "succeeded"
    assert paid_amount(booking) == Decimal("65.00")

    failed = {"id": refund["provider_ref"], "object": "refund", "status": "failed"}
    assert webhook(anon, "refund.failed", failed, "evt_refund_failed").json() == {
        "result": "applied"
    }
    kinds = list(LedgerEntry.objects.order_by("id").values_list("kind", "settled"))
    assert kinds == [
        ("captured", Decimal("105.000")),
        ("refunded", Decimal("-40.000")),
        ("refund_reversed", Decimal("40.000")),  # appended; the refund's entry stays
    ]
    assert paid_amount(booking) == Decimal("105.00")
    assert Receipt.objects.filter(entry__kind="refund_reversed").count() == 1
    out = io.StringIO()
    call_command("payments", "status", stdout=out)
    assert "1 refund(s) reversed after they were recorded" in out.getvalue()
    assert booking.reference in out.getvalue()

    # Issuing it again handles it: the status no longer lists it.
    assert staff_api.post(url, {"amount": "40", "reason": "again"}).status_code == 201
    out = io.StringIO()
    call_command("payments", "status", stdout=out)
    assert "0 refund(s) reversed after they were recorded" in out.getvalue()


def test_refund_after_a_late_processing_event_still_refunds(
    policy, make_booking, guest_api, staff_api, anon, stripe_standin
):
    """Before the state machine, the late event left the charge `processing`, and this request
    answered 201 with an empty list of refunds."""
    booking = make_booking()
    ref = _stripe_paid(booking, guest_api, anon, stripe_standin)
    late = {**stripe_standin.intents[ref], "status": "processing"}
    webhook(anon, "payment_intent.processing", late, "evt_late")
    made = staff_api.post(
        f"/api/v1/bookings/{booking.reference}/refunds", {"amount": "40", "reason": "x"}
    )
    assert made.status_code == 201
    assert [Decimal(r["amount"]) for r in made.json()["refunds"]] == [Decimal("40")]


def test_refund_request_that_refunds_nothing_is_a_409(policy, make_booking, staff_api):
    """Ledger money with no succeeded charge behind it (a charge regressed by an out-of-order
    event before the state machine existed): nothing can be refunded, and the answer says so."""
    booking = make_booking()
    charge = _payment(booking, status="succeeded")
    Payment.objects.filter(pk=charge.pk).update(status=PaymentStatus.PROCESSING)
    response = staff_api.post(
        f"/api/v1/bookings/{booking.reference}/refunds", {"amount": "40", "reason": "x"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "nothing_to_refund"
    assert not Payment.objects.filter(purpose="refund").exists()
