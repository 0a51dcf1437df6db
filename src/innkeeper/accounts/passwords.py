"""Password change and reset. Whatever changes a password (API, admin, the pages, `innkeeper
changepassword`, a reset link) revokes the account's API tokens: `password_changed_revoke`
runs on every save of a new password. Browser sessions die with it too: Django keeps a hash
of the password in each session, so every other session is signed out on its next request,
and the views that change a password keep only their own session (update_session_auth_hash).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from innkeeper.accounts.models import ApiToken, User
from innkeeper.core.audit import audit_log
from innkeeper.core.errors import ApplicationError, InvalidInput
from innkeeper.core.ids import sha256_hex

KEEP_TOKEN = "_innkeeper_keep_token"  # noqa: S105 - an attribute name, not a secret


class ResetLinkInvalid(ApplicationError):
    status, code, title = 400, "reset_link_invalid", "Reset link not valid"


def password_changed_revoke(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    """post_save of User: a new password (set_password, then save) revokes its API tokens,
    except the one the change was made with (`password_change` over the API)."""
    if created or getattr(instance, "_password", None) is None:
        return
    tokens = ApiToken.objects.filter(user=instance, revoked_at__isnull=True)
    keep = getattr(instance, KEEP_TOKEN, "")
    if keep:
        tokens = tokens.exclude(token_hash=sha256_hex(keep))
    revoked = tokens.update(revoked_at=timezone.now())
    audit_log(
        "auth.password_changed",
        actor=instance,
        target=f"user:{instance.pk}",
        details={"tokens_revoked": revoked},
    )


def _set_password(user: User, password: str, *, field: str) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), extra={"field": field}) from error
    user.set_password(password)


def password_change(
    *, user: User, current_password: str, new_password: str, keep_token: str, request: HttpRequest
) -> None:
    """Change a signed-in user's password. The current one is checked through the login
    lockout (so a stolen token cannot guess it faster than a login could)."""
    if authenticate(request, username=user.email, password=current_password) != user:
        raise InvalidInput(
            "The current password is wrong.",
            code="wrong_password",
            extra={"field": "current_password"},
        )
    _set_password(user, new_password, field="new_password")
    setattr(user, KEEP_TOKEN, keep_token)
    user.save()


def password_reset_parts(user: User) -> tuple[str, str]:
    """(uid, token) of a one-time reset link: the token dies when the password changes (or
    the user logs in), and after PASSWORD_RESET_TIMEOUT seconds."""
    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


def password_reset_user(*, uid: str, token: str) -> User:
    """The user a reset link is for, or ResetLinkInvalid (used, expired, tampered)."""
    try:
        user = User.objects.filter(pk=int(urlsafe_base64_decode(uid).decode())).first()
    except (ValueError, TypeError, OverflowError):
        user = None
    if user is None or not user.is_active or not default_token_generator.check_token(user, token):
        raise ResetLinkInvalid(
            "This reset link is not valid: it was used already, has expired, or was not "
            "copied whole. Ask for a new one."
        )
    return user


def password_reset_complete(*, uid: str, token: str, new_password: str) -> User:
    user = password_reset_user(uid=uid, token=token)
    _set_password(user, new_password, field="new_password")
    user.save()
    audit_log("auth.password_reset", actor=user, target=f"user:{user.pk}")
    return user
