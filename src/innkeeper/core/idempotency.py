"""Idempotency-Key support: the same key and body replay the first response exactly once."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError

from innkeeper.core.db import atomic_with_retry
from innkeeper.core.errors import Conflict, InvalidInput
from innkeeper.core.ids import sha256_hex
from innkeeper.core.models import IdempotencyRecord

MAX_KEY_LENGTH = 200
Outcome = tuple[int, dict[str, Any]]


def request_fingerprint(payload: dict[str, Any]) -> str:
    return sha256_hex(json.dumps(payload, sort_keys=True, default=str))


def idempotent(
    *, scope: str, key: str | None, payload: dict[str, Any], work: Callable[[], Outcome]
) -> Outcome:
    """Run `work` once per (scope, key); repeats get the stored outcome.

    The key row is inserted before the work in the same transaction: a concurrent repeat
    blocks on the unique index, then sees the committed row and replays it. Failed work
    rolls back the key too, so the client may retry.
    """
    if not key:
        return atomic_with_retry(work)
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            f"Idempotency-Key may be at most {MAX_KEY_LENGTH} characters.",
            code="invalid_idempotency_key",
        )
    fingerprint = request_fingerprint(payload)

    def attempt() -> Outcome:
        existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if existing is not None:
            return _replay(existing, fingerprint)
        record = IdempotencyRecord.objects.create(
            scope=scope, key=key, request_hash=fingerprint, response_status=0, response_body={}
        )
        status, body = work()
        record.response_status, record.response_body = status, body
        record.save(update_fields=["response_status", "response_body"])
        return status, body

    for _ in range(3):
        try:
            return atomic_with_retry(attempt)
        except IntegrityError as error:
            if "idempotency" not in str(error).lower() and "scope" not in str(error).lower():
                raise
    raise Conflict("This request is still being processed; retry shortly.", code="in_progress")


def _replay(record: IdempotencyRecord, fingerprint: str) -> Outcome:
    if record.request_hash != fingerprint:
        raise InvalidInput(
            "This Idempotency-Key was already used with a different request body.",
            code="idempotency_key_reused",
        )
    return record.response_status, record.response_body
