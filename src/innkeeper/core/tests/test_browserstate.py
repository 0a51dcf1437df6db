"""Issue 18: API and health calls without a cookie skip sessions, authentication and messages;
everything with a cookie, and every page, keeps Django's full path."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from innkeeper.accounts.services import token_issue
from innkeeper.conftest import ApiClient


@pytest.mark.parametrize("path", ["/api/health/live", "/up"])
def test_a_cookieless_health_call_touches_no_session_and_keeps_its_headers(db, path):
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(path)
    assert response.status_code == 200
    assert not queries.captured_queries
    assert "Set-Cookie" not in response.headers and not response.cookies
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_a_token_api_call_sets_no_cookie_and_reads_no_session(guest):
    api = ApiClient(token_issue(user=guest).token)
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/auth/me")
    assert response.status_code == 200 and response.json()["email"] == guest.email
    assert not response.cookies
    assert not any("django_session" in q["sql"] for q in queries.captured_queries)


def test_health_full_still_sees_a_staff_session_behind_a_cookie(staff):
    browser = Client()
    browser.force_login(staff)
    assert browser.get("/api/health/full").status_code in (200, 503)  # the report itself
    assert Client().get("/api/health/full").status_code == 401


def test_pages_keep_sessions_and_csrf(guest):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/account/login/")
    assert page.status_code == 200 and "csrftoken" in page.cookies
    refused = browser.post("/account/login/", {"username": guest.email, "password": "x"})
    assert refused.status_code == 403  # no CSRF token: still refused
    browser.force_login(guest)
    assert browser.get("/my-bookings/").status_code == 200
    assert Session.objects.count() == 1
