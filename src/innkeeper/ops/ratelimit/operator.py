"""What the on-call engineer does to rate limits: look at counters and clear them."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem

from innkeeper.accounts.models import User
from innkeeper.core.audit import audit_log
from innkeeper.core.errors import InvalidInput
from innkeeper.ops.ratelimit.config import limit_for
from innkeeper.ops.ratelimit.identity import account_key
from innkeeper.ops.ratelimit.limiter import ResilientLimiter, get_limiter
from innkeeper.ops.ratelimit.scopes import SCOPES, scopes_counted_by

USER_SCOPES = scopes_counted_by("user")
ACCOUNT_SCOPES = scopes_counted_by("account")
IP_SCOPES = scopes_counted_by("ip")


@dataclass(frozen=True)
class Target:
    """Whose counters: a user (by id or email; also their login account) or an IP."""

    user: User | None = None
    ip: str | None = None

    @property
    def label(self) -> str:
        return f"user:{self.user.pk}" if self.user else f"ip:{self.ip}"

    def patterns(self, scope: str | None) -> list[str]:
        """Glob patterns over limiter keys `LIMITER/<scope>/<kind>/<value>/.../<amount>/...`."""
        where = _glob_escape(scope) if scope else "*"
        if self.user is not None:
            account = account_key(self.user.email)
            return [
                f"LIMITER/{where}/user/{self.user.pk}/*",
                f"LIMITER/{where}/*account/{account}/*",
            ]
        return [f"LIMITER/{where}/*ip/{_glob_escape(self.ip or '')}/*"]


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def resolve_target(*, user: str | None, ip: str | None, scope: str | None) -> Target:
    if bool(user) == bool(ip):
        raise InvalidInput("Give exactly one of --user ID|EMAIL or --ip ADDRESS.")
    if scope is not None and scope not in SCOPES:
        raise InvalidInput(f"Unknown scope {scope!r}; scopes: {', '.join(SCOPES)}.")
    if ip:
        return Target(ip=ip.strip())
    assert user is not None
    lookup = {"email__iexact": user.strip()} if "@" in user else {"pk": _int(user)}
    found = User.objects.filter(**lookup).first()
    if found is None:
        raise InvalidInput(f"No user {user!r}.")
    return Target(user=found)


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError as error:
        raise InvalidInput(f"--user takes a numeric id or an email, not {text!r}.") from error


def _clear_keys(limiter: ResilientLimiter, patterns: list[str]) -> int:
    """Delete matching counters in Redis (shared by every process) and in this process."""
    removed = 0
    if limiter.redis is not None:
        connection: Any = limiter.redis.get_connection()
        prefix = limiter.redis.key_prefix
        for pattern in patterns:
            keys = list(connection.scan_iter(match=f"{prefix}:{pattern}", count=500))
            if keys:
                removed += int(connection.delete(*keys))
    for key in list(limiter.memory.events) + list(limiter.memory.storage):
        if any(fnmatch.fnmatchcase(key, pattern) for pattern in patterns):
            limiter.memory.clear(key)
            removed += 1
    return removed


def ratelimit_clear(*, target: Target, scope: str | None, actor_label: str) -> int:
    """Forget `target`'s counters (every scope, or one): unblocks a user, an IP or a locked
    account at once. Returns how many counters were removed; writes an audit event."""
    removed = _clear_keys(get_limiter(), target.patterns(scope))
    audit_log(
        "ratelimit.cleared",
        actor_label=actor_label,
        target=target.label,
        source="cli",
        details={"scope": scope or "all", "removed": removed},
    )
    return removed


@dataclass(frozen=True)
class ScopeStatus:
    scope: str
    limit: str
    used: int
    remaining: int
    reset_in: int


def ratelimit_status(*, target: Target) -> list[ScopeStatus]:
    limiter = get_limiter()
    rows: list[ScopeStatus] = []
    for scope, identity in _identities(target):
        item: RateLimitItem = limit_for(scope)
        decision = limiter.peek(item, scope, *identity)
        used = item.amount - decision.remaining
        rows.append(
            ScopeStatus(
                scope=scope,
                limit=str(item),
                used=used,
                remaining=decision.remaining,
                reset_in=decision.retry_after if used else 0,
            )
        )
    return rows


def _identities(target: Target) -> list[tuple[str, tuple[str, str]]]:
    if target.user is not None:
        user_id = str(target.user.pk)
        account = account_key(target.user.email)
        return [(scope, ("user", user_id)) for scope in USER_SCOPES] + [
            (scope, ("account", account)) for scope in ACCOUNT_SCOPES
        ]
    return [(scope, ("ip", target.ip or "")) for scope in IP_SCOPES]
