"""The current request's id: set by the request middleware, read by the error renderer and the
log processors. A context variable, so each thread (or task) sees only its own request."""

from __future__ import annotations

import os
import re
from contextvars import ContextVar

# Ids from a trusted proxy are used as they come, provided they look like an id: no spaces or
# control characters that could forge log lines.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

_current: ContextVar[str | None] = ContextVar("innkeeper_request_id", default=None)


def current_request_id() -> str | None:
    return _current.get()


def new_request_id() -> str:
    # 32 hex digits like uuid4().hex, at a quarter of its cost (one per request).
    return os.urandom(16).hex()


def is_valid_request_id(value: str) -> bool:
    return bool(VALID_REQUEST_ID.match(value))


def set_request_id(value: str | None) -> None:
    _current.set(value)
