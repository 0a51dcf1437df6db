"""Bad input found by the schema fuzzer (issue 12, finding 15): NUL characters, which
PostgreSQL text cannot hold, and integers beyond 64 bits, which neither engine can bind, are
a 4xx problem+json on both engines, never a 500. And the OpenAPI description bounds every
integer and string a client can send."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import DataError

from innkeeper.api import on_data_error
from innkeeper.core.schemas import MAX_INT64

HUGE = "9" * 30  # far beyond 64 bits
JUST_OVER = str(MAX_INT64 + 1)


def _rejected(response: Any) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] and body["status"] == response.status_code
    assert "Traceback" not in response.content.decode()
    return body


def _get(api: Any, path: str) -> Any:
    return api.client.get(path, headers=api._headers(None))


def test_nul_in_login_and_register_is_refused(anon, guest):
    login = anon.post("/api/v1/auth/login", {"email": "guest@exa\x00mple.com", "password": "x"})
    assert _rejected(login)["code"] in {"invalid_input", "invalid_credentials"}
    register = anon.post(
        "/api/v1/auth/register",
        {"email": "new@example.com", "password": "a-long-password-1", "name": "Ann\x00"},
    )
    assert _rejected(register)["code"] == "invalid_input"
    assert register.json()["field"] == "name"


def test_nul_in_booking_fields_and_reference_is_refused(guest_api, room, stay, make_booking):
    body = {
        "room_id": room.pk,
        "check_in": str(stay[0]),
        "check_out": str(stay[1]),
        "guests": 1,
    }
    for field in ("guest_name", "guest_email", "guest_phone", "notes"):
        response = guest_api.post("/api/v1/bookings", {**body, field: "a\x00b"})
        assert _rejected(response)["field"] == field
    booking = make_booking()
    for suffix in ("", "/payments"):
        _rejected(_get(guest_api, f"/api/v1/bookings/{booking.reference}%00{suffix}"))
    cancel = guest_api.post(f"/api/v1/bookings/{booking.reference}/cancel", {"reason": "\x00"})
    _rejected(cancel)


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/rooms?property_id={HUGE}",
        f"/api/v1/room-types?property_id={JUST_OVER}",
        f"/api/v1/bookings?offset={HUGE}",
        f"/api/v1/bookings?limit=5&offset={JUST_OVER}",
        f"/api/v1/bookings?property_id={HUGE}",
        f"/api/v1/availability?check_in=2030-01-01&check_out=2030-01-03&property_id={HUGE}",
    ],
)
def test_integers_beyond_64_bits_in_queries_are_refused(guest_api, room, path):
    assert _rejected(_get(guest_api, path))["code"] == "invalid_input"


def test_integers_beyond_64_bits_in_paths_and_bodies_are_refused(staff_api, room):
    _rejected(staff_api.patch(f"/api/v1/rooms/{HUGE}", {"number": "7"}))
    _rejected(staff_api.patch(f"/api/v1/room-types/{JUST_OVER}", {"capacity": 2}))
    _rejected(staff_api.post("/api/v1/rooms", {"room_type_id": int(HUGE), "number": "7"}))
    _rejected(
        staff_api.post(
            "/api/v1/bookings",
            {"room_id": MAX_INT64 + 1, "check_in": "2030-01-01", "check_out": "2030-01-02"},
        )
    )


def test_a_value_the_database_refuses_is_a_422_not_a_500(rf):
    """The backstop behind the schemas: whatever slips through is still the client's input."""
    response = on_data_error(rf.get("/api/v1/x"), DataError("text cannot contain NUL"))
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"


def _request_schemas(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every schema a client fills in: parameters and request body properties."""
    found: list[tuple[str, dict[str, Any]]] = []
    components = spec["components"]["schemas"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            for param in operation.get("parameters", []):
                found.append((f"{where} {param['name']}", param["schema"]))
            for media in operation.get("requestBody", {}).get("content", {}).values():
                ref = media["schema"].get("$ref", "")
                body = components[ref.rsplit("/", 1)[-1]] if ref else media["schema"]
                for name, prop in body.get("properties", {}).items():
                    found.append((f"{where} body.{name}", prop))
    return found


def _unbounded(schema: dict[str, Any]) -> bool:
    variants = schema.get("anyOf", [schema])
    for variant in variants:
        kind = variant.get("type")
        if kind == "integer" and not {"minimum", "maximum"} <= set(variant):
            return True
        if kind == "string" and not {"enum", "const", "format"} & set(variant):
            if "pattern" not in variant:
                return True
            unbounded_pattern = "*" in variant["pattern"] or "+" in variant["pattern"]
            if "maxLength" not in variant and unbounded_pattern:
                return True
    return False


def test_openapi_bounds_every_integer_and_string_a_client_sends(anon):
    spec = anon.get("/api/v1/openapi.json").json()
    fields = _request_schemas(spec)
    assert len(fields) > 30
    assert [name for name, schema in fields if _unbounded(schema)] == []


def _lets_nul_through(pattern: str) -> bool:
    """A negated class (`[^@]`) or a bare `.` matches NUL unless the class names it; the
    positive classes our patterns use (`[A-Za-z0-9-]`) never do."""
    negated_classes = re.findall(r"\[\^((?:\\.|[^\]])*)\]", pattern)
    if any("\\x00" not in body for body in negated_classes):
        return True
    return re.search(r"(?<!\\)\.", re.sub(r"\[(?:\\.|[^\]])*\]", "", pattern)) is not None


def test_openapi_patterns_refuse_nul_as_the_api_does(anon):
    """Found by the stateful fuzzer: `guest_email` allowed NUL in the schema while the API
    refused it (422 with `errors`), so a schema-valid request failed validation."""
    spec = anon.get("/api/v1/openapi.json").json()
    patterns = [
        (name, variant["pattern"])
        for name, schema in _request_schemas(spec)
        for variant in schema.get("anyOf", [schema])
        if "pattern" in variant
    ]
    assert any(name.endswith("body.guest_email") for name, _ in patterns)
    assert [name for name, pattern in patterns if _lets_nul_through(pattern)] == []
