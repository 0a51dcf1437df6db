"""A short-lived, in-process cache of bearer token → user, so that an API request does not pay
a database round trip (and its ORM compilation) to authenticate (issue 18: ~16 % of a booking).

Security properties, and how each survives the cache:
- Expiry: the entry keeps the token's `expires_at` and is checked on every hit.
- Revocation, a password change, a deactivated or erased account, `innkeeper sessions revoke`:
  every such write in this process empties the cache (`token_cache_clear`, also on commit, so a
  request that read the old row meanwhile cannot put it back: see the generation below). A write
  made by another process (the CLI, another web worker) is seen once the entry is older than
  `API_TOKEN_CACHE_SECONDS` (default 5; 0 turns the cache off).
- Lockout applies to logins (passwords), not to tokens, so it is not affected.
- Keys are the token's SHA-256, never the token; each hit returns a copy of the user, so no two
  requests share (or mutate) one model instance.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from innkeeper.accounts.models import User

# Far above the tokens one process sees within a few seconds; a full cache simply starts over.
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class _Entry:
    user: User
    token_expires_at: datetime
    cached_at: float


_entries: dict[str, _Entry] = {}
_lock = threading.Lock()
_generation = 0


def ttl_seconds() -> float:
    return float(settings.API_TOKEN_CACHE_SECONDS)


def generation() -> int:
    """Read before the database lookup and passed to `put`: a clear in between wins."""
    return _generation


def get(token_hash: str) -> User | None:
    ttl = ttl_seconds()
    if ttl <= 0:
        return None
    entry = _entries.get(token_hash)
    if entry is None:
        return None
    if time.monotonic() - entry.cached_at > ttl or entry.token_expires_at <= timezone.now():
        _entries.pop(token_hash, None)
        return None
    return copy.copy(entry.user)


def put(token_hash: str, user: User, token_expires_at: datetime, seen_generation: int) -> None:
    if ttl_seconds() <= 0:
        return
    with _lock:
        if seen_generation != _generation:
            return  # revoked (or changed) while we were reading: do not cache the old row
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[token_hash] = _Entry(copy.copy(user), token_expires_at, time.monotonic())


def _clear() -> None:
    global _generation
    with _lock:
        _generation += 1
        _entries.clear()


def token_cache_clear() -> None:
    """Forget every cached token now and again when the current transaction commits (a
    concurrent request may read the old row until then)."""
    _clear()
    transaction.on_commit(_clear)


def clear_on_save(sender: Any, **kwargs: Any) -> None:
    """post_save/post_delete of User and ApiToken (admin edits, deactivation, password)."""
    token_cache_clear()
