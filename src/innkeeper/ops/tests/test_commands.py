"""`innkeeper ratelimit status|clear` and `innkeeper cache clear`, run as real subprocesses
against the shared Redis under key prefixes of this test's own (cleaned up afterwards)."""

from __future__ import annotations

import pytest
import redis
from django.core.cache.backends.base import default_key_func

from innkeeper.conftest import PASSWORD, make_user
from innkeeper.core.models import AuditEvent
from innkeeper.testing.cli import SHARED_REDIS_URL, innkeeper, require_shared_redis
from innkeeper.testing.ratelimit import FAST_HASHERS, assert_rate_limited, login

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared_redis(rate_limits):
    require_shared_redis()
    rate_limits.REDIS_URL = SHARED_REDIS_URL
    rate_limits.PASSWORD_HASHERS = FAST_HASHERS
    return rate_limits


def cli_env(settings, **extra):
    return {
        "REDIS_URL": SHARED_REDIS_URL,
        "RATE_LIMIT_KEY_PREFIX": settings.RATE_LIMIT_KEY_PREFIX,
        **extra,
    }


def test_clear_user_lifts_the_login_lockout_for_every_process(shared_redis):
    user = make_user("ann@example.com")
    for _ in range(5):
        assert login("ann@example.com", "wrong", ip="192.0.2.1").status_code == 401
    assert_rate_limited(login("ann@example.com", PASSWORD, ip="192.0.2.1"), "login")

    status = innkeeper("ratelimit", "status", "--user", "ann@example.com", **cli_env(shared_redis))
    assert status.returncode == 0, status.stderr
    assert "rate limits: on; counted in redis" in status.stdout
    assert "login_failures     used 5 of 100 per 1 hour" in status.stdout

    cleared = innkeeper("ratelimit", "clear", "--user", str(user.pk), **cli_env(shared_redis))
    assert cleared.returncode == 0, cleared.stderr
    # login (account+IP), login_failures (account) and login_failures_source (account+source)
    assert f"Cleared 3 counter(s) for user:{user.pk} (all scopes)." in cleared.stdout
    assert login("ann@example.com", PASSWORD, ip="192.0.2.1").status_code == 200
    event = AuditEvent.objects.get(action="ratelimit.cleared")
    assert event.source == "cli"
    assert event.details == {"scope": "all", "removed": 3}


def test_clear_ip_with_a_scope_leaves_other_scopes(shared_redis):
    shared_redis.RATE_LIMITS = {**shared_redis.RATE_LIMITS, "login_ip": "2/minute"}
    for n in range(2):
        assert login(f"x{n}@example.com", "x", ip="198.51.100.7").status_code == 401
    assert_rate_limited(login("x9@example.com", "x", ip="198.51.100.7"), "login_ip")

    env = cli_env(shared_redis, RATE_LIMIT_LOGIN_IP="2/minute")
    cleared = innkeeper("ratelimit", "clear", "--ip", "198.51.100.7", "--scope", "login_ip", **env)
    assert cleared.returncode == 0, cleared.stderr
    assert "Cleared 1 counter(s) for ip:198.51.100.7 (login_ip)." in cleared.stdout
    assert login("x9@example.com", "x", ip="198.51.100.7").status_code == 401
    # The general API counter of that IP was not touched by a scoped clear.
    status = innkeeper("ratelimit", "status", "--ip", "198.51.100.7", **env)
    assert "api                used 4 of 120 per 1 minute" in status.stdout


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["clear"], {}, "one of the arguments --user --ip is required"),
        (["clear", "--user", "424242"], {}, "No user '424242'."),
        (["clear", "--ip", "192.0.2.1"], {"REDIS_URL": ""}, "REDIS_URL is not set"),
        (
            ["clear", "--ip", "192.0.2.1"],
            {"REDIS_URL": "redis://127.0.0.1:1/0"},
            "Redis is unreachable",
        ),
    ],
)
def test_ratelimit_command_errors_are_clear(shared_redis, args, env, message):
    result = innkeeper("ratelimit", *args, **{**cli_env(shared_redis), **env})
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_cache_clear_deletes_only_the_cache_keys(shared_redis):
    prefix = f"cache-{shared_redis.RATE_LIMIT_KEY_PREFIX}"
    client = redis.Redis.from_url(SHARED_REDIS_URL)
    cache_key = default_key_func("greeting", prefix, 1)
    rate_key = f"{shared_redis.RATE_LIMIT_KEY_PREFIX}:LIMITER/api/ip/192.0.2.1/120/1/minute"
    client.set(cache_key, b"x", ex=60)
    client.rpush(rate_key, b"1")
    client.expire(rate_key, 60)
    try:
        result = innkeeper("cache", "clear", **cli_env(shared_redis, CACHE_KEY_PREFIX=prefix))
        assert result.returncode == 0, result.stderr
        assert f"cleared Redis cache keys '{prefix}:*'" in result.stdout
        assert client.exists(cache_key) == 0
        assert client.exists(rate_key) == 1  # rate limits survive a cache clear
        assert AuditEvent.objects.filter(action="cache.cleared").count() == 1
    finally:
        client.delete(cache_key, rate_key)


def test_cache_clear_without_redis_says_what_it_cannot_do(shared_redis):
    result = innkeeper("cache", "clear", REDIS_URL="")
    assert result.returncode == 0, result.stderr
    assert "LocMemCache in this process only" in result.stdout


def test_cache_clear_with_redis_down_fails_clearly(shared_redis):
    result = innkeeper("cache", "clear", REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 1
    assert "Redis is unreachable" in result.stderr


def test_every_scope_is_overridable_from_the_environment():
    env = {
        "REDIS_URL": "",
        "RATE_LIMITS_ENABLED": "false",
        "RATE_LIMIT_LOGIN": "3/minute",
        "RATE_LIMIT_BOOKING_CHANGE": "30 per 10 minutes",
    }
    result = innkeeper("ratelimit", "status", **env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "rate limits: OFF (RATE_LIMITS_ENABLED=false); counted in process memory"
    assert any(line.split()[:2] == ["login", "3/minute"] for line in lines)
    assert any(line.split()[:4] == ["booking_change", "30", "per", "10"] for line in lines)
    assert any(line.split()[:2] == ["api", "120/minute"] for line in lines)
