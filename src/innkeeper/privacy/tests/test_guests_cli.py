"""`innkeeper guests export|erase` as real subprocesses against this test's database."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking
from innkeeper.core.models import AuditEvent
from innkeeper.payments.models import Payment
from innkeeper.testing.cli import innkeeper

pytestmark = pytest.mark.django_db(transaction=True)


def test_export_prints_json_and_unknown_email_exits_1(guest: User, stayed: Callable[..., Booking]):
    booking = stayed(guest=guest)
    done = innkeeper("guests", "export", "Guest@Example.com")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["account"]["email"] == "guest@example.com"
    assert data["bookings"][0]["reference"] == booking.reference

    unknown = innkeeper("guests", "export", "nobody@example.com")
    assert unknown.returncode == 1
    assert "No guest with email 'nobody@example.com'" in unknown.stderr

    kept = innkeeper("guests", "retention")  # default 3 years: a stay 30 days ago is kept
    assert kept.returncode == 0, kept.stderr
    assert "Anonymised 0 guest(s)" in kept.stdout
    swept = innkeeper("guests", "retention", GUEST_RETENTION_DAYS="10")
    assert "Anonymised 1 guest(s) whose last stay ended more than 10 days ago" in swept.stdout
    assert not User.objects.get(pk=guest.pk).is_active


def test_erase_asks_for_the_email_refuses_active_then_anonymises(
    guest: User, make_booking: Callable[..., Booking], stayed: Callable[..., Booking], policy
):
    old = stayed(guest=guest)
    mismatch = innkeeper("guests", "erase", guest.email, "--confirm", "guest@example.org")
    assert mismatch.returncode == 1
    assert "retype the email with --confirm guest@example.com" in mismatch.stderr

    active = make_booking()
    refused = innkeeper("guests", "erase", guest.email, "--confirm", guest.email)
    assert refused.returncode == 1
    assert f"active bookings: {active.reference}" in refused.stderr
    assert User.objects.get(pk=guest.pk).is_active

    Booking.objects.filter(pk=active.pk).update(status="cancelled")
    done = innkeeper("guests", "erase", guest.email, "--confirm", guest.email)
    assert done.returncode == 0, done.stderr
    assert f"now erased-{guest.pk}" in done.stdout
    assert "accounting law" in done.stdout
    old.refresh_from_db()
    assert old.guest_email == f"erased-{guest.pk}@invalid"
    assert Payment.objects.filter(booking=old).exists()
    event = AuditEvent.objects.get(action="guest.erased")
    assert event.source == "cli" and "@" in event.actor_label  # the operator, user@host
    assert "guest@example.com" not in json.dumps(event.details)
