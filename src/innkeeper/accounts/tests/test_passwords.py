"""Issue 12 finding 7: a password change revokes API tokens and other sessions (API, admin,
pages); password reset for guests and staff by an emailed one-time link, rate-limited, sent
by the job queue through a real SMTP server. And "Also": registration does not reveal
whether an address has an account."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from innkeeper.accounts.models import ApiToken, Role, User
from innkeeper.accounts.services import token_issue
from innkeeper.conftest import PASSWORD, ApiClient, make_user
from innkeeper.testing.jobs import drain
from innkeeper.testing.ratelimit import FAST_HASHERS

NEW = "a-brand-new-password-77"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


RESET_LINK = re.compile(r"https?://[^/\s]+(/account/reset/([\w-]+)/([\w-]+)/)")


def _plain(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _valid_tokens(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()


def _signed_in(client: Client, user: User) -> bool:
    return client.get("/account/password/").status_code == 200 and client.session.get(
        "_auth_user_id"
    ) == str(user.pk)


# --- password change ---------------------------------------------------------------------


def test_api_password_change_revokes_every_other_token(guest):
    mine = ApiClient(token_issue(user=guest).token)
    other = ApiClient(token_issue(user=guest).token)
    browser = Client()
    browser.force_login(guest)
    wrong = mine.post("/api/v1/auth/password", {"current_password": "nope", "new_password": NEW})
    assert wrong.status_code == 422 and wrong.json()["code"] == "wrong_password"
    weak = mine.post("/api/v1/auth/password", {"current_password": PASSWORD, "new_password": "1"})
    assert weak.status_code == 422 and weak.json()["field"] == "new_password"
    assert _valid_tokens(guest) == 2
    done = mine.post("/api/v1/auth/password", {"current_password": PASSWORD, "new_password": NEW})
    assert done.status_code == 204, done.content
    assert mine.get("/api/v1/auth/me").status_code == 200  # the token it was made with
    assert other.get("/api/v1/auth/me").status_code == 401
    assert not _signed_in(browser, guest)  # the browser session is signed out too
    guest.refresh_from_db()
    assert guest.check_password(NEW)


def test_admin_password_change_revokes_tokens_and_other_sessions(staff):
    token = ApiClient(token_issue(user=staff).token)
    here, elsewhere = Client(), Client()
    here.force_login(staff)
    elsewhere.force_login(staff)
    changed = here.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert changed.status_code == 302, changed.content.decode()[:2000]
    assert token.get("/api/v1/auth/me").status_code == 401
    assert here.get("/admin/").status_code == 200  # this session stays
    assert elsewhere.get("/admin/").status_code == 302  # the other one is signed out


def test_manager_setting_a_password_in_the_admin_revokes_that_users_tokens(guest):
    manager = make_user("boss@example.com", Role.MANAGER)
    token = ApiClient(token_issue(user=guest).token)
    admin = Client()
    admin.force_login(manager)
    response = admin.post(
        f"/admin/accounts/user/{guest.pk}/password/",
        {"password1": NEW, "password2": NEW, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert token.get("/api/v1/auth/me").status_code == 401


def test_guest_password_page_keeps_this_session_only(guest):
    token = ApiClient(token_issue(user=guest).token)
    here, elsewhere = Client(), Client()
    here.force_login(guest)
    elsewhere.force_login(guest)
    assert Client().get("/account/password/")["Location"].startswith("/account/login/")
    changed = here.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert changed.status_code == 302 and changed["Location"] == "/my-bookings/"
    assert _signed_in(here, guest)
    assert not _signed_in(elsewhere, guest)
    assert token.get("/api/v1/auth/me").status_code == 401


# --- password reset ----------------------------------------------------------------------


def _reset_link(smtp_server, to: str) -> re.Match[str]:
    drain()
    mails = [m for m in smtp_server.messages if m["To"] == to]
    assert len(mails) == 1, [m["Subject"] for m in smtp_server.messages]
    found = RESET_LINK.search(_plain(mails[0]))
    assert found is not None, _plain(mails[0])
    return found


def test_api_reset_emails_a_one_time_link_and_revokes_tokens(smtp_settings, guest):
    old_token = ApiClient(token_issue(user=guest).token)
    anon = ApiClient()
    known = anon.post("/api/v1/auth/password-reset", {"email": guest.email.upper()})
    unknown = anon.post("/api/v1/auth/password-reset", {"email": "ghost@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()  # no account discovery
    link = _reset_link(smtp_settings, guest.email)
    body = {"uid": link.group(2), "token": link.group(3), "new_password": NEW}
    assert anon.post("/api/v1/auth/password-reset/confirm", body).status_code == 204
    assert old_token.get("/api/v1/auth/me").status_code == 401
    again = anon.post("/api/v1/auth/password-reset/confirm", {**body, "new_password": "x" + NEW})
    assert again.status_code == 400 and again.json()["code"] == "reset_link_invalid"
    login = anon.post("/api/v1/auth/login", {"email": guest.email, "password": NEW})
    assert login.status_code == 200


def test_reset_link_expires(settings, guest):
    from innkeeper.accounts.passwords import password_reset_parts

    uid, token = password_reset_parts(guest)
    settings.PASSWORD_RESET_TIMEOUT = -1  # any age is too old now
    response = ApiClient().post(
        "/api/v1/auth/password-reset/confirm", {"uid": uid, "token": token, "new_password": NEW}
    )
    assert response.status_code == 400 and response.json()["code"] == "reset_link_invalid"
    bad = ApiClient().post(
        "/api/v1/auth/password-reset/confirm", {"uid": "zz", "token": "1-2", "new_password": NEW}
    )
    assert bad.status_code == 400


def test_reset_requests_are_rate_limited(rate_limits, smtp_settings, guest):
    anon = ApiClient()
    answers = [
        anon.post("/api/v1/auth/password-reset", {"email": guest.email}).status_code
        for _ in range(4)
    ]
    assert answers == [202, 202, 202, 429]  # 3 emails an hour per account
    rate_limits.RATE_LIMITS = {**rate_limits.RATE_LIMITS, "password_reset": "2/hour"}
    other = Client(REMOTE_ADDR="198.51.100.40")
    page = [
        other.post("/account/password-reset/", {"email": f"n{n}@example.com"}).status_code
        for n in range(3)
    ]
    assert page == [302, 302, 429]


@pytest.mark.parametrize("role", [Role.GUEST, Role.FRONT_DESK])
def test_reset_pages_for_guests_and_staff(db, smtp_settings, role):
    user = make_user(f"{role}@example.com", role)
    client = Client()
    assert "Forgot your password?" in client.get("/desk/login/").content.decode()
    sent = client.post("/account/password-reset/", {"email": user.email})
    assert sent.status_code == 302
    link = _reset_link(smtp_settings, user.email)
    form = client.get(link.group(1), follow=True)
    # Django moves the token out of the address bar before showing the form.
    assert link.group(3) not in form.redirect_chain[-1][0]
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}, follow=True
    )
    assert "Password changed" in done.content.decode()
    reused = Client().get(link.group(1), follow=True).content.decode()
    assert "not valid" in reused
    user.refresh_from_db()
    assert user.check_password(NEW)


# --- registration does not reveal accounts ----------------------------------------------


def test_registration_with_a_taken_address_emails_the_owner(smtp_settings, guest):
    body = {"email": guest.email, "password": "another good password 9", "name": "Mallory"}
    taken = ApiClient().post("/api/v1/auth/register", body)
    fresh = ApiClient().post("/api/v1/auth/register", {**body, "email": "new@example.com"})
    assert taken.status_code == fresh.status_code == 202
    assert taken.json() == fresh.json()
    page_taken = Client().post("/account/register/", {**body, "name": "M"})
    page_fresh = Client().post("/account/register/", {**body, "email": "new2@example.com"})
    assert page_taken.status_code == page_fresh.status_code == 302
    assert page_taken["Location"] == page_fresh["Location"]
    drain()
    owner_mail = [m for m in smtp_settings.messages if m["To"] == guest.email]
    assert len(owner_mail) == 2 and "already" in _plain(owner_mail[0])
    guest.refresh_from_db()
    assert guest.check_password(PASSWORD) and guest.name != "Mallory"
