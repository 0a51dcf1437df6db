from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: Any) -> Any:
    """Pydantic's lax mode reads 0 or 1700000000 as a date; the API takes YYYY-MM-DD only."""
    if isinstance(value, date) or (isinstance(value, str) and ISO_DATE.match(value)):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+$"


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
