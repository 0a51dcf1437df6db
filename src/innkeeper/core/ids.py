"""Human-friendly identifiers: short, unambiguous when read aloud or over the phone."""

from __future__ import annotations

import hashlib
import secrets

# Crockford-style alphabet without 0/O, 1/I/L, U: nothing a guest can misread.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 8


def new_reference(prefix: str = "IK") -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{prefix}-{body}"


def new_token(prefix: str = "ik") -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def sha256_hex(value: str | bytes) -> str:
    data = value.encode() if isinstance(value, str) else value
    return hashlib.sha256(data).hexdigest()
