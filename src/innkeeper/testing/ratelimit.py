"""Shared bits for the rate-limit tests."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only: speed


def login(email: str, password: str, ip: str = "127.0.0.1") -> Any:
    return Client().post(
        "/api/v1/auth/login",
        json.dumps({"email": email, "password": password}),
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def assert_rate_limited(response: Any, scope: str) -> None:
    assert response.status_code == 429, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "rate_limited"
    assert body["scope"] == scope
    assert int(response["Retry-After"]) >= 1
    assert response["X-RateLimit-Remaining"] == "0"
    assert int(response["X-RateLimit-Limit"]) >= 1
    assert int(response["X-RateLimit-Reset"]) > 0
