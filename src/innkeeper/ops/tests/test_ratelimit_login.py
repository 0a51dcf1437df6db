"""Login limits and the per-account lockout (OWASP ASVS: 5/min per account+IP, and at most
100 failures an hour per account whatever the IP)."""

from __future__ import annotations

import pytest

from innkeeper.conftest import PASSWORD, make_user
from innkeeper.core.models import AuditEvent
from innkeeper.ops.ratelimit.operator import ratelimit_clear, resolve_target
from innkeeper.testing.ratelimit import FAST_HASHERS, assert_rate_limited, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def test_sixth_login_attempt_for_one_account_within_a_minute_is_429(rate_limits, fast_hashing):
    make_user("ann@example.com")
    make_user("bob@example.com")
    for _ in range(5):
        assert login("ann@example.com", "wrong-password").status_code == 401
    # The sixth is refused before the password is looked at, even the right one.
    assert_rate_limited(login("ann@example.com", PASSWORD), "login")
    # Other accounts from the same address are not affected by Ann's counter.
    assert login("bob@example.com", PASSWORD).status_code == 200


def test_101st_failure_in_an_hour_is_refused_even_from_rotating_ips(rate_limits, fast_hashing):
    user = make_user("target@example.com")
    make_user("other@example.com")
    for n in range(100):
        response = login("target@example.com", "guess", ip=f"10.0.{n // 250}.{n % 250 + 1}")
        assert response.status_code == 401, (n, response.content)
    response = login("target@example.com", PASSWORD, ip="192.0.2.77")
    assert_rate_limited(response, "login_failures")
    assert response.json()["retry_after"] > 3000  # the hour-long window, not a minute
    assert login("other@example.com", PASSWORD, ip="192.0.2.77").status_code == 200

    # The operator lifts the lockout (what `innkeeper ratelimit clear --user` runs).
    removed = ratelimit_clear(
        target=resolve_target(user=str(user.pk), ip=None, scope=None),
        scope="login_failures",
        actor_label="oncall",
    )
    assert removed == 1
    assert login("target@example.com", PASSWORD, ip="192.0.2.77").status_code == 200
    event = AuditEvent.objects.get(action="ratelimit.cleared")
    assert (event.target, event.actor_label) == (f"user:{user.pk}", "oncall")
    assert event.details == {"scope": "login_failures", "removed": 1}


def test_successful_logins_do_not_count_as_failures(rate_limits, fast_hashing):
    rate_limits.RATE_LIMITS = {**rate_limits.RATE_LIMITS, "login_failures": "2/hour"}
    make_user("ann@example.com")
    for n in range(4):
        assert login("ann@example.com", PASSWORD, ip=f"10.9.0.{n + 1}").status_code == 200
    assert login("ann@example.com", "wrong", ip="10.9.0.9").status_code == 401
    assert login("ann@example.com", PASSWORD, ip="10.9.0.10").status_code == 200


def test_login_attempts_per_ip_across_accounts(rate_limits, fast_hashing):
    rate_limits.RATE_LIMITS = {**rate_limits.RATE_LIMITS, "login_ip": "3/minute"}
    for n in range(3):
        assert login(f"nobody{n}@example.com", "x", ip="203.0.113.5").status_code == 401
    assert_rate_limited(login("nobody9@example.com", "x", ip="203.0.113.5"), "login_ip")
    assert login("nobody9@example.com", "x", ip="203.0.113.6").status_code == 401


def test_switched_off_nothing_is_limited(settings, fast_hashing):
    assert settings.RATE_LIMITS_ENABLED is False  # the suite-wide default (see conftest)
    make_user("ann@example.com")
    for _ in range(8):
        assert login("ann@example.com", "wrong").status_code == 401
    assert login("ann@example.com", PASSWORD).status_code == 200


def test_admin_and_api_logins_share_the_account_lockout(rate_limits, fast_hashing):
    from django.test import Client

    from innkeeper.accounts.models import Role

    rate_limits.RATE_LIMITS = {**rate_limits.RATE_LIMITS, "login_failures": "3/hour"}
    make_user("desk@example.com", Role.FRONT_DESK)

    def admin_login(password):
        return Client().post(
            "/admin/login/?next=/admin/", {"username": "desk@example.com", "password": password}
        )

    assert admin_login(PASSWORD).status_code == 302  # the door works (127.0.0.1 now known)
    for _ in range(2):
        assert admin_login("wrong").status_code == 200  # form shown again with an error
    assert login("desk@example.com", "wrong", ip="192.0.2.50").status_code == 401  # 3rd failure
    # Locked now for every source the account never logged in from, at every door...
    assert_rate_limited(login("desk@example.com", PASSWORD, ip="192.0.2.51"), "login_failures")
    # ...but not for the address it signed in from before (test_login_sources.py).
    assert admin_login(PASSWORD).status_code == 302
