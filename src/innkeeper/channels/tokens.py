"""Export tokens: random, URL-safe, stored only as a SHA-256 hex digest."""

from __future__ import annotations

import hashlib
import re
import secrets

# 32 random bytes -> 43 URL-safe characters: unguessable, and short enough for any channel form.
TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(value: str) -> bool:
    """Cheap shape check, so junk paths never reach the database."""
    return bool(TOKEN_PATTERN.match(value))
