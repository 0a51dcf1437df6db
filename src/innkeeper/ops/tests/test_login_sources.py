"""Issue 12 finding 6 (admin login limits; lockout per account *and* source, the owner keeps
a known source) and issue 15 (logins audited at every door, visible in `innkeeper audit`)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from innkeeper.accounts.models import Role
from innkeeper.conftest import PASSWORD, make_user
from innkeeper.core.models import AuditEvent
from innkeeper.testing.cli import innkeeper
from innkeeper.testing.ratelimit import FAST_HASHERS, assert_rate_limited, login

STAFF = "owner@example.com"


@pytest.fixture
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def admin_login(password: str, ip: str = "127.0.0.1", email: str = STAFF):
    return Client().post(
        "/admin/login/?next=/admin/",
        {"username": email, "password": password},
        REMOTE_ADDR=ip,
    )


def desk_login(password: str, ip: str):
    return Client().post("/desk/login/", {"username": STAFF, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_admin_login_has_the_per_account_ip_limit(rate_limits, fast_hashing):
    make_user(STAFF, Role.MANAGER)
    for _ in range(5):
        assert admin_login("wrong", ip="198.51.100.7").status_code == 200
    refused = admin_login(PASSWORD, ip="198.51.100.7")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "Too many attempts" in refused.content.decode()
    # Another address is not affected by that counter.
    assert admin_login(PASSWORD, ip="198.51.100.8").status_code == 302


@pytest.mark.django_db
def test_admin_login_has_the_per_ip_limit(rate_limits, fast_hashing):
    rate_limits.RATE_LIMITS = {**rate_limits.RATE_LIMITS, "login_ip": "3/minute"}
    for n in range(3):
        assert admin_login("x", ip="203.0.113.9", email=f"n{n}@example.com").status_code == 200
    assert admin_login("x", ip="203.0.113.9", email="n9@example.com").status_code == 429


@pytest.mark.django_db
def test_one_address_locks_only_itself_out(rate_limits, fast_hashing):
    rate_limits.RATE_LIMITS = {
        **rate_limits.RATE_LIMITS,
        "login": "100/minute",
        "login_failures_source": "4/hour",
    }
    make_user(STAFF, Role.MANAGER)
    for _ in range(4):
        assert login(STAFF, "guess", ip="203.0.113.66").status_code == 401
    assert_rate_limited(login(STAFF, PASSWORD, ip="203.0.113.66"), "login_failures_source")
    assert admin_login(PASSWORD, ip="203.0.113.66").status_code == 429
    # The owner, from anywhere else, is not locked out of any door.
    assert login(STAFF, PASSWORD, ip="192.0.2.10").status_code == 200
    assert admin_login(PASSWORD, ip="192.0.2.11").status_code == 302
    assert desk_login(PASSWORD, ip="192.0.2.12").status_code == 302


@pytest.mark.django_db
def test_account_lockout_spares_a_known_source(rate_limits, fast_hashing):
    """Failures from many addresses lock the account for unknown sources only."""
    rate_limits.RATE_LIMITS = {**rate_limits.RATE_LIMITS, "login_failures": "5/hour"}
    make_user(STAFF, Role.MANAGER)
    assert admin_login(PASSWORD, ip="192.0.2.20").status_code == 302  # the office, yesterday
    for n in range(5):
        assert login(STAFF, "guess", ip=f"10.1.0.{n + 1}").status_code == 401
    assert_rate_limited(login(STAFF, PASSWORD, ip="10.1.0.99"), "login_failures")
    assert admin_login(PASSWORD, ip="10.1.0.98").status_code == 429
    # The office still gets in, at every door.
    assert admin_login(PASSWORD, ip="192.0.2.20").status_code == 302
    assert login(STAFF, PASSWORD, ip="192.0.2.20").status_code == 200
    assert desk_login(PASSWORD, ip="192.0.2.20").status_code == 302


@pytest.mark.django_db
def test_every_door_records_success_and_failure(fast_hashing):
    user = make_user(STAFF, Role.MANAGER)
    assert login(STAFF, PASSWORD, ip="192.0.2.1").status_code == 200
    assert login(STAFF, "wrong", ip="192.0.2.2").status_code == 401
    assert login("ghost@example.com", "wrong", ip="192.0.2.3").status_code == 401
    assert admin_login(PASSWORD, ip="192.0.2.4").status_code == 302
    assert admin_login("wrong", ip="192.0.2.5").status_code == 200
    assert desk_login(PASSWORD, ip="192.0.2.6").status_code == 302
    rows = [
        (e.action, e.source, e.actor_label, e.target, e.details)
        for e in AuditEvent.objects.filter(action__startswith="auth.login").order_by("id")
    ]
    target = f"user:{user.pk}"
    assert rows == [
        ("auth.login_succeeded", "api", STAFF, target, {"ip": "192.0.2.1"}),
        (
            "auth.login_failed",
            "api",
            STAFF,
            target,
            {"ip": "192.0.2.2", "reason": "bad_credentials"},
        ),
        (
            "auth.login_failed",
            "api",
            "ghost@example.com",
            "",
            {"ip": "192.0.2.3", "reason": "unknown_account"},
        ),
        ("auth.login_succeeded", "admin", STAFF, target, {"ip": "192.0.2.4"}),
        (
            "auth.login_failed",
            "admin",
            STAFF,
            target,
            {"ip": "192.0.2.5", "reason": "bad_credentials"},
        ),
        ("auth.login_succeeded", "desk", STAFF, target, {"ip": "192.0.2.6"}),
    ]


@pytest.mark.django_db(transaction=True)
def test_login_audit_is_visible_in_innkeeper_audit(rate_limits, fast_hashing):
    rate_limits.RATE_LIMITS = {**rate_limits.RATE_LIMITS, "login_failures": "1/hour"}
    make_user(STAFF, Role.MANAGER)
    assert login(STAFF, "wrong", ip="192.0.2.7").status_code == 401
    assert login(STAFF, PASSWORD, ip="192.0.2.8").status_code == 429  # refused, not recorded
    page = Client().post(
        "/account/login/", {"username": STAFF, "password": "x"}, REMOTE_ADDR="192.0.2.9"
    )
    assert page.status_code == 429  # refusals are counted by the limiter's log, not audited
    assert (
        Client()
        .post(
            "/account/login/",
            {"username": "ann@example.com", "password": "x"},
            REMOTE_ADDR="192.0.2.9",
        )
        .status_code
        == 200
    )
    listing = innkeeper("audit", "--action", "auth.login", "--json")
    assert listing.returncode == 0, listing.stderr
    events = json.loads(listing.stdout)
    assert [(e["action"], e["source"], e["details"]) for e in events] == [
        ("auth.login_failed", "web", {"ip": "192.0.2.9", "reason": "unknown_account"}),
        ("auth.login_failed", "api", {"ip": "192.0.2.7", "reason": "bad_credentials"}),
    ]
    assert [e["actor"] for e in events] == ["ann@example.com", STAFF]
