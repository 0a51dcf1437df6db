from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from innkeeper.accounts.models import User
from innkeeper.accounts.services import token_authenticate


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` with a token from POST /api/v1/auth/login."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return token_authenticate(raw_token=token)


bearer = BearerToken()


def api_user(request: HttpRequest) -> User:
    user: Any = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user
