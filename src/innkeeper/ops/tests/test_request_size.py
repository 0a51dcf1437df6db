"""Bodies over the limits are 413, never 500 or a bare 400 (issue 12, finding 2)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from innkeeper.accounts.services import token_issue
from innkeeper.conftest import make_user

pytestmark = pytest.mark.django_db
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
LIMIT = 4096


@pytest.fixture
def small_limits(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT
    settings.UPLOAD_MAX_BYTES = 8 * LIMIT
    return settings


def _oversized_json() -> str:
    return json.dumps({"email": "a@example.com", "password": "x" * (2 * LIMIT)})


def _assert_problem_413(response) -> None:
    assert response.status_code == 413, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "request_too_large" and body["status"] == 413
    assert str(LIMIT) in body["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/auth/login",
        "/api/v1/auth/register",
        "/api/v1/bookings",
        "/api/v1/payments/webhooks/stripe",
        "/api/v1/no-such-endpoint",
    ],
)
def test_oversized_api_writes_are_413_problem_json(small_limits, path):
    token = token_issue(user=make_user("big@example.com")).token
    response = Client().post(
        path,
        _oversized_json(),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    _assert_problem_413(response)


def test_a_body_just_under_the_limit_still_reaches_the_view(small_limits):
    fits = json.dumps({"email": "a@example.com", "password": "x" * 150})
    response = Client().post("/api/v1/auth/login", fits, content_type="application/json")
    assert response.status_code == 401  # the view ran and refused the credentials


def test_oversized_web_form_is_an_html_413_page(small_limits):
    form = {"username": "a@example.com", "password": "x" * (2 * LIMIT)}
    response = Client().post("/account/login/", form, headers=BROWSER)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "Request too large" in response.content.decode()


def test_upload_form_fields_over_the_limit_are_413_not_400(small_limits):
    """Multipart: within UPLOAD_MAX_BYTES overall, but its text fields alone are too big."""
    form = {"notes": "x" * (2 * LIMIT), "file": SimpleUploadedFile("a.txt", b"tiny")}
    response = Client().post("/account/login/", form, headers=BROWSER)
    assert response.status_code == 413


def test_room_photo_upload_over_upload_max_bytes_is_413(small_limits, admin_client):
    big = SimpleUploadedFile("room.png", b"\x89PNG" + b"0" * (9 * LIMIT), "image/png")
    response = admin_client.post(
        "/admin/rooms/roomtype/add/", {"name": "Suite", "photos-0-original": big}, headers=BROWSER
    )
    assert response.status_code == 413
    assert "Request too large" in response.content.decode()
    fits = SimpleUploadedFile("room.png", b"\x89PNG" + b"0" * LIMIT, "image/png")
    response = admin_client.post(
        "/admin/rooms/roomtype/add/", {"name": "Suite", "photos-0-original": fits}, headers=BROWSER
    )
    assert response.status_code != 413
