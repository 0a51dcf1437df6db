from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import ConfigDict


class Problem(Schema):
    """RFC 9457 problem details; `code` is the stable, machine-readable reason."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str


class StrictIn(Schema):
    """Request bodies reject unknown fields instead of silently ignoring them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# Status codes any endpoint may answer with, declared so the OpenAPI schema is honest.
COMMON_ERRORS: dict[int, Any] = {400: Problem, 422: Problem, 429: Problem, 503: Problem}
AUTH_ERRORS: dict[int, Any] = {**COMMON_ERRORS, 401: Problem}
