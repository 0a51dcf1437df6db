"""Booking and general API limits: 429 problem+json with Retry-After and X-RateLimit-*."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from innkeeper.accounts.services import token_issue
from innkeeper.bookings.models import Booking
from innkeeper.conftest import make_user
from innkeeper.ops.ratelimit.config import limit_for
from innkeeper.testing.ratelimit import assert_rate_limited

pytestmark = pytest.mark.django_db


def post(path, body, *, token, ip="127.0.0.1"):
    return Client().post(
        path,
        json.dumps(body, default=str),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
        REMOTE_ADDR=ip,
    )


def booking_body(room, stay, n):
    """The n-th of a series of back-to-back stays, so none of them collide."""
    start = stay[0] + timedelta(days=3 * n)
    return {
        "room_id": room.pk,
        "check_in": start,
        "check_out": start + timedelta(days=3),
        "guests": 1,
    }


def test_sixth_booking_in_a_minute_by_one_user_is_429(rate_limits, guest, room, stay):
    token = token_issue(user=guest).token
    for n in range(5):
        response = post("/api/v1/bookings", booking_body(room, stay, n), token=token)
        assert response.status_code == 201, response.content
    response = post("/api/v1/bookings", booking_body(room, stay, 5), token=token)
    assert_rate_limited(response, "booking_create")
    assert Booking.objects.count() == 5


def test_booking_create_is_limited_per_ip_across_users(rate_limits, room, stay):
    rate_limits.RATE_LIMITS = {**rate_limits.RATE_LIMITS, "booking_create_ip": "3/minute"}
    tokens = [token_issue(user=make_user(f"g{n}@example.com")).token for n in range(4)]
    for n in range(3):
        body = booking_body(room, stay, n)
        assert post("/api/v1/bookings", body, token=tokens[n], ip="198.51.100.1").status_code == 201
    refused = post(
        "/api/v1/bookings", booking_body(room, stay, 3), token=tokens[3], ip="198.51.100.1"
    )
    assert_rate_limited(refused, "booking_create_ip")
    other_ip = post(
        "/api/v1/bookings", booking_body(room, stay, 3), token=tokens[3], ip="198.51.100.2"
    )
    assert other_ip.status_code == 201


def test_booking_changes_are_limited_per_user(rate_limits, staff, make_booking, room, stay):
    rate_limits.RATE_LIMITS = {**rate_limits.RATE_LIMITS, "booking_change": "2/minute"}
    token = token_issue(user=staff).token
    first = make_booking()
    second = make_booking(
        **{k: v for k, v in booking_body(room, stay, 1).items() if k in ("check_in", "check_out")}
    )
    third = make_booking(
        **{k: v for k, v in booking_body(room, stay, 2).items() if k in ("check_in", "check_out")}
    )
    assert post(f"/api/v1/bookings/{first.reference}/cancel", {}, token=token).status_code == 200
    assert post(f"/api/v1/bookings/{second.reference}/cancel", {}, token=token).status_code == 200
    refused = post(f"/api/v1/bookings/{third.reference}/cancel", {}, token=token)
    assert_rate_limited(refused, "booking_change")
    third.refresh_from_db()
    assert third.status != "cancelled"


def test_general_api_limit_per_ip_and_per_user(rate_limits, guest, hotel):
    rate_limits.RATE_LIMITS = {**rate_limits.RATE_LIMITS, "api": "3/minute"}
    client = Client(REMOTE_ADDR="203.0.113.10")
    remaining = [client.get("/api/v1/rooms")["X-RateLimit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    assert_rate_limited(client.get("/api/v1/rooms"), "api")
    # A signed-in user from the same address has a counter of their own.
    token = token_issue(user=guest).token
    mine = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert mine.status_code == 200
    assert mine["X-RateLimit-Remaining"] == "2"
    # Pages outside /api/v1 are not counted.
    assert client.get("/").status_code == 200


def test_register_is_limited_per_ip(rate_limits):
    rate_limits.RATE_LIMITS = {**rate_limits.RATE_LIMITS, "register": "2/hour"}
    client = Client(REMOTE_ADDR="203.0.113.20")

    def register(n):
        body = {"email": f"new{n}@example.com", "password": "a-long-test-password-42"}
        return client.post("/api/v1/auth/register", body, content_type="application/json")

    assert [register(n).status_code for n in range(2)] == [202, 202]
    assert_rate_limited(register(2), "register")


def test_forwarded_for_is_trusted_only_behind_our_proxy(rate_limits, settings):
    from django.test import RequestFactory

    from innkeeper.ops.ratelimit.identity import client_ip

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9"
    )
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXIES = 1
    settings.TRUSTED_PROXY_IPS = ["10.0.0.0/24"]
    assert client_ip(request) == "203.0.113.9"  # what our balancer saw, not the forged part


def test_a_bad_limit_in_the_environment_is_a_clear_configuration_error(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "five a minute"}
    with pytest.raises(ImproperlyConfigured, match="RATE_LIMIT_LOGIN='five a minute'"):
        limit_for("login")


def test_openapi_declares_429_on_limited_endpoints(anon):
    schema = anon.get("/api/v1/openapi.json").json()
    for path, method in [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/bookings", "post"),
        ("/api/v1/bookings/{reference}/cancel", "post"),
    ]:
        assert "429" in schema["paths"][path][method]["responses"]


def test_disabled_rate_limits_cost_no_token_lookup_and_no_limiter_call(rate_limits, guest):
    """RATE_LIMITS_ENABLED=false (benchmarks, load tests): the API middleware does nothing per
    request. The same request with limits on is the control: one token query, one limiter hit."""
    from unittest import mock

    from django.db import connection
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from innkeeper.ops.ratelimit.limiter import ResilientLimiter
    from innkeeper.ops.ratelimit.middleware import ApiRateLimitMiddleware

    token = token_issue(user=guest).token
    request = RequestFactory().get("/api/v1/rooms", headers={"Authorization": f"Bearer {token}"})
    middleware = ApiRateLimitMiddleware(lambda request: HttpResponse("ok"))

    def run() -> tuple[int, int]:
        with (
            CaptureQueriesContext(connection) as queries,
            mock.patch.object(ResilientLimiter, "hit", autospec=True) as hit,
        ):
            hit.side_effect = lambda limiter, item, *identity: real_hit(limiter, item, *identity)
            assert middleware(request).status_code == 200
        return len(queries), hit.call_count

    real_hit = ResilientLimiter.hit
    assert run() == (1, 1)  # on: the token lookup and one counted hit
    rate_limits.RATE_LIMITS_ENABLED = False
    assert run() == (0, 0)  # off: nothing at all
