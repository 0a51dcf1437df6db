"""Guest data: export, erase (anonymise, keep money records), refusals, retention, and the
API and web downloads. Runs on SQLite and PostgreSQL like the rest of the suite."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.contrib.sessions.models import Session
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client

from innkeeper.accounts.models import ApiToken, Role, User
from innkeeper.accounts.services import token_issue
from innkeeper.bookings.models import Booking
from innkeeper.conftest import PASSWORD, ApiClient, make_user
from innkeeper.core.errors import Conflict
from innkeeper.core.models import AuditEvent
from innkeeper.jobs.schedule import PERIODIC_JOBS, scheduler_tick
from innkeeper.notifications.models import SentEmail
from innkeeper.payments.models import LedgerEntry, Payment, Receipt
from innkeeper.privacy.selectors import guest_export, guest_find
from innkeeper.privacy.services import guest_erase, guests_retention_sweep
from innkeeper.testing.jobs import drain

pytestmark = pytest.mark.django_db
Stayed = Callable[..., Booking]
PII = ("guest@example.com", "+212 600 000 001", "Allergic to cats")


def test_export_holds_account_bookings_payments_emails_and_audit(guest: User, stayed: Stayed):
    booking = stayed(guest=guest)
    found = guest_find(email="  GUEST@example.com ")
    assert found is not None
    data = json.loads(json.dumps(guest_export(found), cls=DjangoJSONEncoder))
    assert data["account"]["email"] == "guest@example.com"
    [exported] = data["bookings"]
    assert exported["reference"] == booking.reference
    assert exported["guest_phone"] == "+212 600 000 001"
    assert exported["notes"] == "Allergic to cats"
    [payment] = exported["payments"]
    assert (payment["amount"], payment["method"]) == ("50.000", "cash")
    assert "client_secret" not in payment
    assert [r["number"] for r in exported["receipts"]] == list(
        Receipt.objects.filter(booking=booking).values_list("number", flat=True)
    )
    assert {"to": "guest@example.com", "kind": "confirmed"}.items() <= data["emails"][0].items()
    assert "payment.recorded_at_desk" in {a["action"] for a in data["audit"]}


def test_unknown_email_is_no_guest(db: None):
    assert guest_find(email="nobody@example.com") is None


def _pii_anywhere(*rows: object) -> list[str]:
    text = json.dumps([str(row) for row in rows])
    return [value for value in PII if value in text]


def test_erase_anonymises_everywhere_and_keeps_money_records(
    guest: User, stayed: Stayed, client: Client
):
    booking = stayed(guest=guest)
    token = token_issue(user=guest)
    client.force_login(guest)
    money_before = (Payment.objects.count(), LedgerEntry.objects.count(), Receipt.objects.count())
    found = guest_find(email=guest.email)
    assert found is not None

    erased = guest_erase(guest=found, actor_label="ops@host")

    guest.refresh_from_db()
    booking.refresh_from_db()
    assert (guest.email, guest.name, guest.phone) == (
        f"erased-{guest.pk}@invalid",
        "Erased guest",
        "",
    )
    assert not guest.is_active and not guest.has_usable_password()
    assert (booking.guest_email, booking.guest_phone, booking.notes) == (guest.email, "", "")
    assert booking.guest_name == "Erased guest"
    assert SentEmail.objects.get(booking=booking).to == guest.email
    assert money_before == (
        Payment.objects.count(),
        LedgerEntry.objects.count(),
        Receipt.objects.count(),
    )
    assert ApiToken.objects.get(prefix=token.token[:10]).revoked_at is not None
    assert not Session.objects.exists()
    assert (erased.bookings, erased.tokens, erased.sessions) == (1, 1, 1)
    event = AuditEvent.objects.get(action="guest.erased")
    assert (event.actor_label, event.target, event.source) == ("ops@host", erased.pseudonym, "cli")
    assert event.details["bookings"] == [booking.reference]
    audit = list(AuditEvent.objects.values_list("actor_label", "target", "details"))
    assert _pii_anywhere(*audit) == []
    assert guest_find(email="guest@example.com") is None


def test_erase_refuses_while_a_booking_is_active(guest: User, make_booking: Stayed, policy):
    booking = make_booking(guest_phone="+212 600 000 001")
    found = guest_find(email=guest.email)
    assert found is not None
    with pytest.raises(Conflict) as refused:
        guest_erase(guest=found, actor_label="ops@host")
    assert refused.value.code == "guest_has_active_booking"
    assert f"{booking.reference} ({booking.status})" in refused.value.detail
    guest.refresh_from_db()
    assert guest.is_active and guest.email == "guest@example.com"
    assert not AuditEvent.objects.filter(action="guest.erased").exists()


def test_erase_refuses_staff_accounts(staff: User):
    found = guest_find(email=staff.email)
    assert found is not None
    with pytest.raises(Conflict) as refused:
        guest_erase(guest=found, actor_label="ops@host")
    assert refused.value.code == "guest_is_staff"


def test_retention_erases_old_guests_only_and_is_idempotent(
    guest: User, stayed: Stayed, make_booking: Stayed, settings
):
    settings.GUEST_RETENTION_DAYS = 365
    stayed(guest=guest, ended_days_ago=400)
    recent = make_user("recent@example.com")
    stayed(guest=recent, ended_days_ago=300)
    manager = make_user("boss@example.com", Role.MANAGER)
    stayed(guest=manager, ended_days_ago=2000)
    returning = make_user("returning@example.com")
    stayed(guest=returning, ended_days_ago=900)
    make_booking(guest=returning, created_by=returning)  # a future stay keeps them

    report = guests_retention_sweep()

    assert report.erased == 1
    emails = set(User.objects.values_list("email", flat=True))
    assert emails == {
        f"erased-{guest.pk}@invalid",
        "recent@example.com",
        "boss@example.com",
        "returning@example.com",
        "desk@example.com",
    }
    [event] = AuditEvent.objects.filter(action="guest.erased")
    assert (event.actor_label, event.source) == ("system:retention", "system")
    assert guests_retention_sweep().erased == 0
    assert AuditEvent.objects.filter(action="guest.erased").count() == 1


def test_retention_runs_from_the_scheduler(guest: User, stayed: Stayed, settings):
    settings.GUEST_RETENTION_DAYS = 10
    stayed(guest=guest, ended_days_ago=11)
    assert PERIODIC_JOBS["privacy.retention"].writes  # paused in read-only mode
    assert "privacy.retention" in scheduler_tick(owner="test")
    drain()  # the worker's real code runs what the scheduler enqueued
    guest.refresh_from_db()
    assert guest.email == f"erased-{guest.pk}@invalid"


def test_api_export_is_the_callers_own_data(guest: User, stayed: Stayed, guest_api: ApiClient):
    booking = stayed(guest=guest)
    make_user("other@example.com")
    response = guest_api.get("/api/v1/auth/me/export")
    assert response.status_code == 200
    data = response.json()
    assert data["email"] == "guest@example.com"
    assert [b["reference"] for b in data["bookings"]] == [booking.reference]


def test_api_export_needs_a_token(anon: ApiClient):
    response = anon.get("/api/v1/auth/me/export")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    schema = anon.get("/api/v1/openapi.json").json()
    assert "/api/v1/auth/me/export" in schema["paths"]


def test_web_download_from_the_account_page(guest: User, stayed: Stayed, client: Client):
    booking = stayed(guest=guest)
    assert client.get("/account/my-data/")["Location"].startswith("/account/login/")
    assert client.login(username=guest.email, password=PASSWORD)
    page = client.get("/my-bookings/").content.decode()
    assert 'href="/account/my-data/"' in page
    response = client.get("/account/my-data/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["bookings"][0]["reference"] == booking.reference
