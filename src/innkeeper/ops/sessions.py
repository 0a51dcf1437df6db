"""Sign everybody (or one user) out: the "invalidate sessions and tokens" step after a secret
or an account is exposed."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from innkeeper.accounts.models import ApiToken, User
from innkeeper.accounts.tokencache import token_cache_clear
from innkeeper.core.audit import audit_log
from innkeeper.core.errors import InvalidInput


@dataclass(frozen=True)
class Revoked:
    tokens: int
    sessions: int


def _user_sessions(user: User) -> list[str]:
    # Session data is opaque in the table; decoding each one is fine at hotel scale.
    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            keys.append(session.session_key)
    return keys


@transaction.atomic
def sessions_revoke(*, email: str | None, actor: str) -> Revoked:
    """Revoke API tokens and delete browser sessions of one user (`email`) or of everyone."""
    tokens = ApiToken.objects.filter(revoked_at__isnull=True)
    sessions = Session.objects.all()
    target = "all users"
    if email is not None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise InvalidInput(f"No user with email {email!r}.")
        tokens = tokens.filter(user=user)
        sessions = sessions.filter(session_key__in=_user_sessions(user))
        target = user.email
    revoked = Revoked(
        tokens=tokens.update(revoked_at=timezone.now()), sessions=sessions.delete()[0]
    )
    # This process forgets them now; other processes within API_TOKEN_CACHE_SECONDS.
    token_cache_clear()
    audit_log(
        "security.sessions_revoked",
        actor_label=actor,
        target=target,
        source="cli",
        details={"tokens": revoked.tokens, "sessions": revoked.sessions},
    )
    return revoked
