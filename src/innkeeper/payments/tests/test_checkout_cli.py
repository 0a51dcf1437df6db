"""The RUNBOOK's "a guest says they paid but the booking is pending", as real subprocesses:
find the Checkout Session in the audit trail, reconcile that booking, and end a stale hold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from innkeeper.bookings.models import Booking
from innkeeper.flows.pay_online import checkout_then_confirm
from innkeeper.payments.models import LedgerEntry
from innkeeper.testing.cli import database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
INNKEEPER = str(Path(sys.executable).parent / "innkeeper")
BACK = "https://hotel.example/back/"


def innkeeper(*args: str, standin: Any) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "STRIPE_SECRET_KEY": "sk_test_standin",
        "STRIPE_API_BASE": standin.url,
    }
    return subprocess.run(
        [INNKEEPER, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_guest_paid_but_no_webhook_came_operator_reconciles_the_booking(
    policy, make_booking, stripe_standin
):
    booking = make_booking()
    start = checkout_then_confirm(booking=booking, actor=None, success_url=BACK, cancel_url=BACK)
    stripe_standin.pay(start.url.rsplit("/", 1)[1])  # paid; the guest closed the tab

    trail = innkeeper(
        "audit",
        "--target",
        booking.reference,
        "--action",
        "payment.",
        "--json",
        standin=stripe_standin,
    )
    assert trail.returncode == 0, trail.stderr
    [started] = json.loads(trail.stdout)
    assert started["action"] == "payment.checkout_started"
    assert started["details"]["session"] == start.payment.provider_ref

    fixed = innkeeper(
        "payments", "reconcile", "--booking", booking.reference, standin=stripe_standin
    )
    assert fixed.returncode == 0, fixed.stderr
    assert "checked 1, settled 1" in fixed.stdout
    assert f"{start.payment.uid}: requires_action -> succeeded" in fixed.stdout
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"
    again = innkeeper(
        "payments", "reconcile", "--booking", booking.reference, standin=stripe_standin
    )
    assert "checked 0" in again.stdout
    assert LedgerEntry.objects.filter(kind="captured").count() == 1


def test_bookings_expire_closes_the_checkout_first(policy, make_booking, stripe_standin):
    booking = make_booking()
    start = checkout_then_confirm(booking=booking, actor=None, success_url=BACK, cancel_url=BACK)
    Booking.objects.filter(pk=booking.pk).update(expires_at=booking.expires_at - timedelta(hours=1))
    result = innkeeper("bookings", "expire", standin=stripe_standin)
    assert result.returncode == 0, result.stderr
    assert f"Expired 1 pending booking(s). {booking.reference}" in result.stdout
    assert stripe_standin.sessions[start.payment.provider_ref]["status"] == "expired"
