"""Request and response building blocks shared by every API module.

Every integer and string a client sends is bounded here, and the OpenAPI description says
exactly what validation accepts (schemathesis checks both ways in core/tests/test_fuzz_api.py):
a looser schema makes clients send data we reject, a stricter one hides what we accept."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date_only(value: Any) -> Any:
    """Pydantic's lax mode reads 0 or 1700000000 as a date; the API takes YYYY-MM-DD only."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return date.fromisoformat(value)  # ValueError for 2030-02-30: a 422 like the rest
    raise ValueError("must be a date written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
# The plain (dot-atom, ASCII) part of what Django's EmailValidator accepts, which services
# still apply: an address the schema allows is one registration accepts.
EMAIL_PATTERN = (
    r"^[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,63}$"
)
# A guest's contact address on a booking made by staff or the guest: looser than
# registration (a walk-in may give any address), but, like every string, without NUL.
GUEST_EMAIL_PATTERN = r"^$|^[^@\s\x00]+@[^@\s\x00]+$"

# Database ids are 64-bit signed integers on both engines (BigAutoField): a bigger number
# matches nothing, and SQLite cannot even bind it (OverflowError), PostgreSQL says "out of range".
MAX_INT64 = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_INT64)]
# Booking references (IK-7KQ2M9XA) and receipt numbers (RIAD-TEST-2026-000001) in paths.
CODE_PATTERN = r"^[A-Za-z0-9_-]+$"
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=CODE_PATTERN)]


def _decimal_text(pattern: str, most: int, *, least: int) -> Any:
    """A decimal sent as a JSON string ("120.50") or a whole number, never a fraction as a
    binary float (which cannot say 0.1 exactly). The pattern is the whole rule, so schema
    and validation cannot drift apart."""
    compiled = re.compile(pattern)

    def check(value: Any) -> Decimal:
        if isinstance(value, Decimal):
            return value
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON Schema counts 7.0 as an integer
        if isinstance(value, int) and not isinstance(value, bool) and least <= value <= most:
            return Decimal(value)
        if isinstance(value, str) and compiled.fullmatch(value):
            return Decimal(value)
        raise ValueError(f"must be a decimal string matching {pattern}")

    json_schema = {
        "anyOf": [
            {"type": "string", "pattern": pattern},
            {"type": "integer", "minimum": least, "maximum": most},
        ]
    }
    return Annotated[Decimal, BeforeValidator(check), WithJsonSchema(json_schema)]


# Room rates: up to 99999999.99 (the column is DECIMAL(10, 2)), zero allowed.
Rate = _decimal_text(r"^(0|[1-9][0-9]{0,7})(\.[0-9]{1,2})?$", 99_999_999, least=0)
# Payment and refund amounts: more than zero, up to three places (the currency decides more).
Amount = _decimal_text(
    r"^([1-9][0-9]{0,8}(\.[0-9]{1,3})?|0\.(0[1-9][0-9]?|00[1-9]|[1-9][0-9]{0,2}))$",
    999_999_999,
    least=1,
)


class Problem(Schema):
    """RFC 9457 problem details; `code` is the stable, machine-readable reason."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str


# What `StrictIn` accepts in a string, for the OpenAPI description: no NUL, and empty or
# holding something besides whitespace ("   " is refused, not silently stored as "").
SPACE = " \t\n\r\v\f"
TEXT_PATTERN = r"^([^\x00]*[^\x00\t\n\v\f\r ][^\x00]*)?$"


def _text_pattern_in_schema(schema: dict[str, Any]) -> None:
    """Strings without a pattern (or enum, or format) of their own get TEXT_PATTERN."""
    for prop in schema.get("properties", {}).values():
        for variant in [prop, *prop.get("anyOf", [])]:
            plain = not {"pattern", "enum", "format", "const"} & set(variant)
            if variant.get("type") == "string" and plain:
                variant["pattern"] = TEXT_PATTERN


class StrictIn(Schema):
    """Request bodies reject unknown fields instead of silently ignoring them, and values of
    another JSON type than the schema says (no "5" for 5, no 0 for false). Strings are
    checked as sent (lengths included, as the schema says), then trimmed; a NUL character
    (which PostgreSQL cannot store) or a blank-but-not-empty string is refused."""

    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra=_text_pattern_in_schema
    )

    @field_validator("*", mode="before")
    @classmethod
    def _whole_floats_are_integers(cls, value: Any) -> Any:
        """JSON Schema counts 7.0 as an integer (and JSON parsers may produce it)."""
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
        trimmed = value.strip(SPACE)
        if value and not trimmed:
            raise ValueError("must not be blank")
        return trimmed


# Status codes any endpoint may answer with, declared so the OpenAPI schema is honest.
COMMON_ERRORS: dict[int, Any] = {400: Problem, 422: Problem, 429: Problem, 503: Problem}
AUTH_ERRORS: dict[int, Any] = {**COMMON_ERRORS, 401: Problem}
