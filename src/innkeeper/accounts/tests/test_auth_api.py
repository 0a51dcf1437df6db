from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from innkeeper.accounts.models import ApiToken, User
from innkeeper.conftest import ApiClient

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"


def test_register_login_me_logout(anon):
    created = anon.post(
        REGISTER, {"email": "Ann@Example.com", "password": "correct horse battery", "name": "Ann"}
    )
    assert created.status_code == 202  # the same answer as for a taken address
    assert User.objects.get().email == "ann@example.com"
    login = anon.post(LOGIN, {"email": "ann@example.com", "password": "correct horse battery"})
    assert login.status_code == 200
    token = login.json()["token"]
    assert login.json()["expires_at"]
    # Only a hash is stored, never the token itself.
    stored = ApiToken.objects.get()
    assert stored.token_hash != token and token not in stored.token_hash
    client = ApiClient(token)
    assert client.get("/api/v1/auth/me").json()["email"] == "ann@example.com"
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_register_rejects_weak_password_bad_email_and_duplicates(anon):
    weak = anon.post(REGISTER, {"email": "bob@example.com", "password": "123"})
    assert weak.status_code == 422 and weak.json()["field"] == "password"
    bad = anon.post(REGISTER, {"email": "not-an-email", "password": "correct horse battery"})
    assert bad.status_code == 422 and bad.json()["field"] == "email"
    ok = {"email": "bob@example.com", "password": "correct horse battery"}
    first = anon.post(REGISTER, ok)
    dup = anon.post(REGISTER, {**ok, "email": "BOB@example.com"})
    # A taken address looks exactly like a new one (its owner is emailed instead).
    assert first.status_code == dup.status_code == 202
    assert first.json() == dup.json()
    assert User.objects.count() == 1


def test_wrong_password_and_unknown_user_look_the_same(anon, guest):
    wrong = anon.post(LOGIN, {"email": guest.email, "password": "nope"})
    unknown = anon.post(LOGIN, {"email": "ghost@example.com", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["code"] == unknown.json()["code"] == "invalid_credentials"


def test_expired_token_is_refused(guest_api):
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = guest_api.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_inactive_user_token_is_refused(guest, guest_api):
    guest.is_active = False
    guest.save()
    assert guest_api.get("/api/v1/auth/me").status_code == 401
