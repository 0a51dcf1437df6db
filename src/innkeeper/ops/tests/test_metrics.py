"""`innkeeper metrics`: figures over a window, read from the database, as a real subprocess."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from innkeeper.accounts.models import ApiToken
from innkeeper.accounts.services import token_issue
from innkeeper.bookings.models import Booking
from innkeeper.bookings.services import booking_cancel, booking_confirm, bookings_expire_pending
from innkeeper.testing.cli import innkeeper

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_metrics_count_booking_changes_success_rate_and_users(
    hotel, make_booking, guest, stay, db_vendor
):
    hotel.instant_booking = False  # bookings start pending, as with a deposit to pay
    hotel.save()
    after = stay[1]
    held = make_booking()
    kept = make_booking(check_in=after, check_out=after + timedelta(days=1))
    dropped = make_booking(check_in=after + timedelta(days=3), check_out=after + timedelta(days=4))
    Booking.objects.filter(pk=held.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert bookings_expire_pending() == [held.reference]
    booking_confirm(reference=kept.reference, actor=None)
    booking_cancel(reference=dropped.reference, actor=guest)
    token_issue(user=guest)
    ApiToken.objects.filter(user=guest).update(last_used_at=timezone.now())

    result = innkeeper("metrics", "--since", "1h", "--json")

    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["window_seconds"] == 3600
    assert figures["bookings"] == {"pending": 3, "expired": 1, "confirmed": 1, "cancelled": 1}
    assert figures["booking_success_rate"] == 0.5
    assert figures["bookings_pending_now"] == 0
    assert figures["active_users"]["api_users"] == 1
    assert figures["queue"]["failed"] == 0
    assert figures["database"]["vendor"] == db_vendor
    if db_vendor == "postgresql":
        assert 1 <= figures["database"]["connections"] <= figures["database"]["max_connections"]


def test_metrics_text_and_bad_window():
    text = innkeeper("metrics")
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[0].split() == ["window", "last", "1h"]
    assert "booking success   -" in text.stdout
    bad = innkeeper("metrics", "--since", "a while")
    assert bad.returncode == 2
    assert "--since 'a while': use a number and a unit" in bad.stderr
