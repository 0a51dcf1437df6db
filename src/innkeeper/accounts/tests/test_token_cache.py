"""Issue 18: bearer tokens are remembered per process for API_TOKEN_CACHE_SECONDS, so an API
request does not query the token; every security property of tokens still holds."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from innkeeper.accounts import tokencache
from innkeeper.accounts.models import ApiToken, User
from innkeeper.accounts.services import token_authenticate, token_issue
from innkeeper.conftest import PASSWORD, ApiClient
from innkeeper.core.ids import new_token, sha256_hex
from innkeeper.ops.sessions import sessions_revoke
from innkeeper.privacy.selectors import guest_find
from innkeeper.privacy.services import guest_erase

ME = "/api/v1/auth/me"


def _token_queries(client: ApiClient) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(ME).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    return sum(q.startswith("SELECT") and "accounts_apitoken" in q for q in sql)


def test_a_known_token_is_not_read_again_within_the_ttl(guest_api):
    assert _token_queries(guest_api) == 1
    assert _token_queries(guest_api) == 0
    assert _token_queries(guest_api) == 0


def test_ttl_zero_turns_the_cache_off(settings, guest_api):
    settings.API_TOKEN_CACHE_SECONDS = 0
    assert _token_queries(guest_api) == 1
    assert _token_queries(guest_api) == 1


def test_logout_applies_at_once(guest_api):
    assert guest_api.get(ME).status_code == 200  # cached now
    assert guest_api.post("/api/v1/auth/logout").status_code == 204
    assert guest_api.get(ME).status_code == 401


def test_deactivation_applies_at_once(guest, guest_api):
    assert guest_api.get(ME).status_code == 200
    guest.is_active = False
    guest.save()
    assert guest_api.get(ME).status_code == 401


def test_password_change_logs_other_cached_tokens_out_at_once(guest):
    mine = ApiClient(token_issue(user=guest).token)
    other = ApiClient(token_issue(user=guest).token)
    assert other.get(ME).status_code == 200  # cached
    body = {"current_password": PASSWORD, "new_password": "another horse battery 9"}
    assert mine.post("/api/v1/auth/password", body).status_code == 204
    assert other.get(ME).status_code == 401
    assert mine.get(ME).status_code == 200


def test_operator_revoke_sessions_applies_at_once(guest, guest_api):
    assert guest_api.get(ME).status_code == 200
    sessions_revoke(email=guest.email, actor="operator")
    assert guest_api.get(ME).status_code == 401


def test_erasing_the_guest_applies_at_once(guest, guest_api):
    assert guest_api.get(ME).status_code == 200
    found = guest_find(email=guest.email)
    assert found is not None
    guest_erase(guest=found, actor_label="ops@host")
    assert guest_api.get(ME).status_code == 401


def test_a_cached_token_still_expires_on_time(guest):
    raw = new_token()
    ApiToken.objects.create(
        user=guest,
        token_hash=sha256_hex(raw),
        prefix=raw[:10],
        expires_at=timezone.now() + timedelta(seconds=1),
    )
    client = ApiClient(raw)
    assert client.get(ME).status_code == 200  # cached, with its expiry
    time.sleep(1.1)
    assert client.get(ME).status_code == 401


def test_a_revocation_by_another_process_applies_within_the_ttl(settings, guest, guest_api):
    """A queryset update is what another process's revocation looks like from here: no signal,
    no clear. The entry outlives it by at most API_TOKEN_CACHE_SECONDS."""
    settings.API_TOKEN_CACHE_SECONDS = 0.5
    assert guest_api.get(ME).status_code == 200
    ApiToken.objects.filter(user=guest).update(revoked_at=timezone.now())
    time.sleep(0.6)
    assert guest_api.get(ME).status_code == 401


def test_a_row_read_before_a_revocation_is_not_cached_after_it(guest):
    raw = token_issue(user=guest).token
    seen = tokencache.generation()
    tokencache.token_cache_clear()  # a revocation while the request was reading the row
    tokencache.put(sha256_hex(raw), guest, timezone.now() + timedelta(hours=1), seen)
    assert tokencache.get(sha256_hex(raw)) is None


def test_each_request_gets_its_own_user_object(guest):
    raw = token_issue(user=guest).token
    first, second, third = (token_authenticate(raw_token=raw) for _ in range(3))
    assert isinstance(second, User) and isinstance(third, User)
    assert first is not second and second is not third
    second.name = "changed by one request"
    assert third.name != "changed by one request"


@pytest.mark.parametrize("raw", ["", "not-a-token"])
def test_unknown_tokens_are_not_cached(db, raw):
    assert token_authenticate(raw_token=raw) is None
    assert tokencache.get(sha256_hex(raw)) is None
