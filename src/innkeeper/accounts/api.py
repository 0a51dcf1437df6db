from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from innkeeper.accounts import passwords, services
from innkeeper.accounts.auth import api_user, bearer
from innkeeper.core.schemas import AUTH_ERRORS, COMMON_ERRORS, EMAIL_PATTERN, Problem, StrictIn
from innkeeper.notifications.account_emails import guest_signup, password_reset_request
from innkeeper.ops.ratelimit.services import (
    limit_password_reset,
    limit_password_reset_use,
    limit_register,
    login_attempt,
)

router = Router()


class RegisterIn(StrictIn):
    email: str = Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN)
    password: str = Field(min_length=1, max_length=200)
    name: str = Field(default="", max_length=200)


class LoginIn(StrictIn):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)


class UserOut(Schema):
    id: int
    email: str
    name: str
    role: str


class TokenOut(Schema):
    token: str
    expires_at: datetime
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret


class Accepted(Schema):
    detail: str


class PasswordChangeIn(StrictIn):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


class ResetRequestIn(StrictIn):
    email: str = Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN)


class ResetConfirmIn(StrictIn):
    uid: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    token: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9-]+$")
    new_password: str = Field(min_length=1, max_length=200)


REGISTERED = (
    "If this address can be registered, the account is ready: log in with it. If it already "
    "had an account, we emailed its owner instead."
)
RESET_SENT = "If this address has an account, we emailed it a link to choose a new password."


def _site_url(request: HttpRequest) -> str:
    return settings.SITE_URL or request.build_absolute_uri("/")


@router.post("/register", response={202: Accepted, **COMMON_ERRORS}, auth=None)
def register(request: HttpRequest, payload: RegisterIn) -> Status[Accepted]:
    """Create a guest account; staff accounts are made by managers (admin or CLI). The answer
    is the same whether or not the address already has an account (its owner is emailed)."""
    limit_register(request)
    guest_signup(
        email=payload.email,
        password=payload.password,
        name=payload.name,
        site_url=_site_url(request),
    )
    return Status(202, Accepted(detail=REGISTERED))


@router.post("/login", response={200: TokenOut, 401: Problem, **COMMON_ERRORS}, auth=None)
def login(request: HttpRequest, payload: LoginIn) -> TokenOut:
    with login_attempt(request, email=payload.email):
        issued = services.user_login(
            email=payload.email, password=payload.password, request=request
        )
    return TokenOut(token=issued.token, expires_at=issued.expires_at)


@router.post("/password", response={204: None, **AUTH_ERRORS}, auth=bearer)
def password_change(request: HttpRequest, payload: PasswordChangeIn) -> Status[None]:
    """Change your password: every other API token and browser session is signed out; the
    token of this request stays valid. A wrong current password is 422 `wrong_password`."""
    passwords.password_change(
        user=api_user(request),
        current_password=payload.current_password,
        new_password=payload.new_password,
        keep_token=_raw_token(request),
        request=request,
    )
    return Status(204, None)


@router.post("/password-reset", response={202: Accepted, **COMMON_ERRORS}, auth=None)
def password_reset(request: HttpRequest, payload: ResetRequestIn) -> Status[Accepted]:
    """Email a one-time link (valid PASSWORD_RESET_TIMEOUT seconds) to choose a new password.
    Same answer whether or not the address has an account."""
    limit_password_reset(request, email=payload.email)
    password_reset_request(email=payload.email, site_url=_site_url(request))
    return Status(202, Accepted(detail=RESET_SENT))


@router.post(
    "/password-reset/confirm",
    response={204: None, 400: Problem, **COMMON_ERRORS},
    auth=None,
)
def password_reset_confirm(request: HttpRequest, payload: ResetConfirmIn) -> Status[None]:
    """Set a new password with the `uid` and `token` of the emailed link (the last two parts
    of its path). 400 `reset_link_invalid` when used, expired or tampered."""
    limit_password_reset_use(request)
    passwords.password_reset_complete(
        uid=payload.uid, token=payload.token, new_password=payload.new_password
    )
    return Status(204, None)


def _raw_token(request: HttpRequest) -> str:
    return request.headers.get("Authorization", "").partition(" ")[2].strip()


@router.post("/logout", response={204: None, **AUTH_ERRORS}, auth=bearer)
def logout(request: HttpRequest) -> Status[None]:
    """Revoke the token this request was made with."""
    services.token_revoke(raw_token=_raw_token(request))
    return Status(204, None)


@router.get("/me", response={200: UserOut, **AUTH_ERRORS}, auth=bearer)
def me(request: HttpRequest) -> object:
    return api_user(request)
