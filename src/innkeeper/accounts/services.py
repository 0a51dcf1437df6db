from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from innkeeper.accounts import tokencache
from innkeeper.accounts.models import ApiToken, Role, User
from innkeeper.core.errors import Conflict, InvalidInput, Unauthorized
from innkeeper.core.ids import new_token, sha256_hex


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def user_register(*, email: str, password: str, name: str = "", role: str = Role.GUEST) -> User:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise InvalidInput("Enter a valid email address.", extra={"field": "email"}) from error
    try:
        validate_password(password, user=User(email=email, name=name))
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), extra={"field": "password"}) from error
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password, name=name, role=role)
    except IntegrityError as error:
        raise Conflict("An account with this email already exists.", code="email_taken") from error


def token_issue(*, user: User) -> IssuedToken:
    raw = new_token()
    expires_at = timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    ApiToken.objects.create(
        user=user, token_hash=sha256_hex(raw), prefix=raw[:10], expires_at=expires_at
    )
    return IssuedToken(token=raw, expires_at=expires_at)


def user_login(*, email: str, password: str, request: HttpRequest | None = None) -> IssuedToken:
    """A bearer token for the right password. `request` lets the lockout and the login audit
    see the client (Django's login signals carry it), like the admin and page logins."""
    user = authenticate(request, username=email.strip().lower(), password=password)
    if not isinstance(user, User):
        raise Unauthorized("Email or password is wrong.", code="invalid_credentials")
    # The same announcement as a session login: audit row, last_login.
    user_logged_in.send(sender=User, request=request, user=user)
    return token_issue(user=user)


def token_revoke(*, raw_token: str) -> None:
    ApiToken.objects.filter(token_hash=sha256_hex(raw_token), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    tokencache.token_cache_clear()


def token_authenticate(*, raw_token: str) -> User | None:
    """The user behind a valid token, or None for unknown, expired or revoked tokens. A valid
    token is remembered for API_TOKEN_CACHE_SECONDS in this process (accounts.tokencache)."""
    token_hash = sha256_hex(raw_token)
    cached = tokencache.get(token_hash)
    if cached is not None:
        return cached
    seen = tokencache.generation()
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_hash, revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.is_valid or not token.user.is_active:
        return None
    tokencache.put(token_hash, token.user, token.expires_at, seen)
    now = timezone.now()
    # Touch last_used at most once a minute: a write per request would serialize SQLite.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def staff_create(*, email: str, password: str, name: str = "", role: str) -> User:
    if role not in (Role.FRONT_DESK, Role.MANAGER):
        raise InvalidInput("Staff role must be front_desk or manager.", extra={"field": "role"})
    return user_register(email=email, password=password, name=name, role=role)
