"""`innkeeper audit` and `innkeeper security revoke-sessions`, run as real subprocesses:
the audit trail from the shell, and "invalidate sessions and tokens" after a secret leaks."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from innkeeper.accounts.services import token_issue
from innkeeper.bookings.services import booking_cancel
from innkeeper.conftest import ApiClient, make_user
from innkeeper.core.audit import audit_log
from innkeeper.testing.cli import innkeeper
from innkeeper.testing.jobs import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def signed_in_browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_revoke_one_user_signs_out_only_that_user():
    ann, bob = make_user("ann@example.com"), make_user("bob@example.com")
    ann_api = ApiClient(token_issue(user=ann).token)
    bob_api = ApiClient(token_issue(user=bob).token)
    ann_browser, bob_browser = signed_in_browser(ann), signed_in_browser(bob)
    assert ann_api.get("/api/v1/bookings").status_code == 200

    result = innkeeper("security", "revoke-sessions", "--user", "ANN@example.com")

    assert result.returncode == 0, result.stderr
    assert "Signed out ANN@example.com: revoked 1 API token(s), deleted 1 browser session(s)." in (
        result.stdout
    )
    # Another process revoked the token: this process's token cache lets it go within
    # API_TOKEN_CACHE_SECONDS (README "API tokens"); the browser session is gone at once.
    wait_for(
        lambda: ann_api.get("/api/v1/bookings").status_code == 401,
        timeout=settings.API_TOKEN_CACHE_SECONDS + 2,
        what="the revoked token refused",
    )
    assert bob_api.get("/api/v1/bookings").status_code == 200
    assert Session.objects.filter(session_key=ann_browser.session.session_key).count() == 0
    assert Session.objects.filter(session_key=bob_browser.session.session_key).count() == 1


def test_revoke_all_signs_out_everyone_and_is_audited():
    users = [make_user(f"u{n}@example.com") for n in range(3)]
    clients = [ApiClient(token_issue(user=user).token) for user in users]
    for user in users:
        signed_in_browser(user)

    result = innkeeper("security", "revoke-sessions", "--all")

    assert result.returncode == 0, result.stderr
    assert "revoked 3 API token(s), deleted 3 browser session(s)" in result.stdout
    assert all(client.get("/api/v1/bookings").status_code == 401 for client in clients)
    trail = innkeeper("audit", "--action", "security.", "--json")
    assert trail.returncode == 0, trail.stderr
    (event,) = json.loads(trail.stdout)
    assert event["action"] == "security.sessions_revoked"
    assert event["target"] == "all users"
    assert event["details"] == {"tokens": 3, "sessions": 3}
    assert event["source"] == "cli"


def test_revoke_refuses_unclear_requests():
    unknown = innkeeper("security", "revoke-sessions", "--user", "nobody@example.com")
    assert unknown.returncode == 1
    assert "No user with email 'nobody@example.com'." in unknown.stderr
    neither = innkeeper("security", "revoke-sessions")
    assert neither.returncode == 2
    assert "one of the arguments --user --all is required" in neither.stderr


def test_audit_filters_by_action_target_and_age():
    audit_log("maintenance.enabled", actor_label="ops@host1", target="site", source="cli")
    audit_log("booking.cancelled", actor_label="desk@host1", target="IK-ABC123", source="web")

    listing = innkeeper("audit", "--since", "1h")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert "booking.cancelled" in lines[0] and "IK-ABC123" in lines[0]  # newest first
    assert "maintenance.enabled" in lines[1] and "ops@host1" in lines[1]

    only_booking = innkeeper("audit", "--target", "abc123", "--json")
    assert [row["action"] for row in json.loads(only_booking.stdout)] == ["booking.cancelled"]
    by_actor = innkeeper("audit", "--actor", "ops@", "--json")
    assert [row["action"] for row in json.loads(by_actor.stdout)] == ["maintenance.enabled"]
    none = innkeeper("audit", "--action", "payment.")
    assert none.stdout.strip() == "No audit events match."
    bad = innkeeper("audit", "--since", "yesterday")
    assert bad.returncode == 2
    assert "--since 'yesterday': use a number and a unit" in bad.stderr


def test_audit_target_shows_the_booking_history(make_booking, staff):
    """RUNBOOK: `innkeeper audit --target REF` shows the booking's history: its status
    changes sit in the same trail as payments and emails, with who made them."""
    booking = make_booking()  # no deposit asked: confirmed at once
    booking_cancel(reference=booking.reference, actor=staff, reason="guest phoned")

    trail = innkeeper("audit", "--target", booking.reference, "--json")

    assert trail.returncode == 0, trail.stderr
    rows = json.loads(trail.stdout)
    history = [(row["action"], row["details"].get("to")) for row in reversed(rows)]
    assert history == [("booking.created", "confirmed"), ("booking.cancelled", "cancelled")]
    cancelled = rows[0]
    assert cancelled["actor"] == staff.email and cancelled["source"] == "bookings"
    assert cancelled["details"] == {"from": "confirmed", "to": "cancelled", "note": "guest phoned"}
