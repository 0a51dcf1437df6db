"""Redis dies mid-test (a private redis-server, never the shared one): logins and bookings keep
working, limits still apply in process, the fallback is logged, the cache serves misses; Redis
comes back -> it is used again without restarting anything."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client

from innkeeper.accounts.services import token_issue
from innkeeper.conftest import PASSWORD, make_user
from innkeeper.ops.ratelimit.limiter import FALLBACK_MESSAGE, get_limiter
from innkeeper.testing.ratelimit import FAST_HASHERS, assert_rate_limited, login
from innkeeper.testing.redis_server import PrivateRedis

pytestmark = pytest.mark.django_db
RETRY_SECONDS = 0.3


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def on_private_redis(rate_limits, private_redis):
    settings = rate_limits
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.REDIS_URL = private_redis.url
    settings.REDIS_RETRY_SECONDS = RETRY_SECONDS
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "3/minute"}
    settings.CACHES = {
        "default": {
            "BACKEND": "innkeeper.ops.cache.ResilientRedisCache",
            "LOCATION": private_redis.url,
            "KEY_PREFIX": f"cache-{settings.RATE_LIMIT_KEY_PREFIX}",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    return settings


def book(token, room, start):
    body = {
        "room_id": room.pk,
        "check_in": start,
        "check_out": start + timedelta(days=2),
        "guests": 1,
    }
    return Client().post(
        "/api/v1/bookings",
        json.dumps(body, default=str),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def rate_keys(server, prefix):
    return server.client().keys(f"{prefix}:*")


@pytest.mark.slow
def test_redis_killed_mid_test_then_restarted(on_private_redis, private_redis, room, stay, caplog):
    prefix = on_private_redis.RATE_LIMIT_KEY_PREFIX
    guest = make_user("ann@example.com")
    token = token_issue(user=guest).token

    # Redis up: counters and cache entries live in Redis.
    assert login("ann@example.com", PASSWORD).status_code == 200
    assert rate_keys(private_redis, prefix)
    cache.set("greeting", "hello", 60)
    assert cache.get("greeting") == "hello"
    assert get_limiter().using_redis

    private_redis.stop()
    caplog.set_level(logging.INFO)

    # Redis down: a booking and a login still succeed, quickly.
    started = time.monotonic()
    assert book(token, room, stay[0]).status_code == 201
    assert login("ann@example.com", PASSWORD).status_code == 200
    assert time.monotonic() - started < 3  # nothing waited on the dead Redis
    assert FALLBACK_MESSAGE in [r.getMessage() for r in caplog.records]
    assert not get_limiter().using_redis

    # ... and the limits still hold, counted in process (3/minute per account+IP).
    assert login("ann@example.com", "wrong").status_code == 401
    assert login("ann@example.com", "wrong").status_code == 401
    assert_rate_limited(login("ann@example.com", PASSWORD), "login")

    # The cache is an always-miss cache: no error, no value.
    assert cache.get("greeting") is None
    cache.set("greeting", "again", 60)
    assert cache.get_or_set("computed", lambda: 42) == 42
    assert "Redis cache failed, serving cache misses" in [r.getMessage() for r in caplog.records]

    # Redis returns (same port, empty): used again after the retry interval, no restart.
    private_redis.start()
    time.sleep(RETRY_SECONDS + 0.1)
    assert book(token, room, stay[0] + timedelta(days=5)).status_code == 201
    assert rate_keys(private_redis, prefix)  # counted in Redis again
    assert get_limiter().using_redis
    cache.set("greeting", "back", 60)
    assert cache.get("greeting") == "back"
    assert private_redis.client().keys("cache-*")
    messages = [r.getMessage() for r in caplog.records]
    assert "Redis rate limiter recovered, counting in Redis again" in messages
    assert "Redis cache recovered" in messages
    assert messages.count(FALLBACK_MESSAGE) == 1  # throttled, not one line per request


def test_a_hung_redis_costs_one_short_timeout_not_one_per_request(
    on_private_redis, private_redis, room, stay, caplog
):
    """SIGSTOP: Redis accepts connections but never answers, the worst case for latency."""
    import os
    import signal

    guest = make_user("ann@example.com")
    token = token_issue(user=guest).token
    assert book(token, room, stay[0]).status_code == 201  # connections to Redis now pooled
    os.kill(private_redis.process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        for n in range(1, 4):
            assert book(token, room, stay[0] + timedelta(days=3 * n)).status_code == 201
        assert login("ann@example.com", PASSWORD).status_code == 200
        elapsed = time.monotonic() - started
    finally:
        os.kill(private_redis.process.pid, signal.SIGCONT)
    # One socket timeout (0.25 s) trips the circuit; the other calls skip Redis entirely.
    assert elapsed < 2.5
    assert FALLBACK_MESSAGE in [r.getMessage() for r in caplog.records]
