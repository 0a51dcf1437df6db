from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from innkeeper.accounts import services
from innkeeper.accounts.auth import api_user, bearer
from innkeeper.core.schemas import AUTH_ERRORS, COMMON_ERRORS, EMAIL_PATTERN, Problem, StrictIn
from innkeeper.ops.ratelimit.services import limit_register, login_attempt

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


@router.post("/register", response={201: UserOut, 409: Problem, **COMMON_ERRORS}, auth=None)
def register(request: HttpRequest, payload: RegisterIn) -> Status:
    """Create a guest account. Staff accounts are made by managers (admin or CLI)."""
    limit_register(request)
    user = services.user_register(email=payload.email, password=payload.password, name=payload.name)
    return Status(201, user)


@router.post("/login", response={200: TokenOut, 401: Problem, **COMMON_ERRORS}, auth=None)
def login(request: HttpRequest, payload: LoginIn) -> TokenOut:
    with login_attempt(request, email=payload.email):
        issued = services.user_login(email=payload.email, password=payload.password)
    return TokenOut(token=issued.token, expires_at=issued.expires_at)


@router.post("/logout", response={204: None, **AUTH_ERRORS}, auth=bearer)
def logout(request: HttpRequest) -> Status:
    """Revoke the token this request was made with."""
    raw = request.headers.get("Authorization", "").partition(" ")[2].strip()
    services.token_revoke(raw_token=raw)
    return Status(204, None)


@router.get("/me", response={200: UserOut, **AUTH_ERRORS}, auth=bearer)
def me(request: HttpRequest) -> object:
    return api_user(request)
