"""The /api/v1 NinjaAPI: routers, and every error rendered as RFC 9457 problem+json."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from innkeeper.accounts.api import router as auth_router
from innkeeper.bookings.api import router as bookings_router
from innkeeper.bookings.change_api import router as booking_change_router
from innkeeper.core.errors import (
    PROBLEM_CONTENT_TYPE,
    ApplicationError,
    application_error_response,
    problem_response,
)
from innkeeper.ops.outage import is_database_outage
from innkeeper.ops.requestsize import request_too_large
from innkeeper.ops.responses import database_unavailable
from innkeeper.payments.api import router as payments_router
from innkeeper.privacy.api import router as privacy_router
from innkeeper.rooms.api import router as rooms_router
from innkeeper.rooms.rates_api import router as rates_router

logger = logging.getLogger(__name__)

HTTP_ERROR_CODES = {
    400: "malformed_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "rate_limited",
}


class InnkeeperAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Declare error bodies as application/problem+json, which is what they are."""
        schema = super().get_openapi_schema(**kwargs)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return schema


api = InnkeeperAPI(
    title="innkeeper API",
    version="1.0.0",
    description="Rooms, availability and bookings for small hotels. Errors are RFC 9457 "
    "problem+json with a stable `code`.",
    urls_namespace="api-v1",
    docs_url="/docs",
)
api.add_router("/auth", auth_router, tags=["auth"])
api.add_router("/auth", privacy_router, tags=["auth"])
api.add_router("", rooms_router, tags=["rooms"])
api.add_router("", rates_router, tags=["rates"])
api.add_router("", bookings_router, tags=["bookings"])
api.add_router("", booking_change_router, tags=["bookings"])
api.add_router("", payments_router, tags=["payments"])


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return application_error_response(exc)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "loc": [str(part) for part in error.get("loc", [])],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors
    ]
    first = errors[0] if errors else {"loc": [], "msg": "invalid"}
    where = ".".join(part for part in first["loc"] if part not in ("body", "payload", "query"))
    detail = f"{where}: {first['msg']}" if where else str(first["msg"])
    extra: dict[str, Any] = {"errors": errors}
    if where:
        extra["field"] = where
    return problem_response(422, "invalid_input", detail, extra=extra)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        401,
        "unauthorized",
        "A valid bearer token is required: POST /api/v1/auth/login.",
        headers={"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = HTTP_ERROR_CODES.get(exc.status_code, "error")
    detail = "The request body is not valid JSON." if exc.status_code == 400 else str(exc)
    return problem_response(exc.status_code, code, detail)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(404, "not_found", "Not found.")


@api.exception_handler(OperationalError)
def on_database_error(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    logger.error("database unavailable: %s", exc)
    return database_unavailable(request)  # the one 503 every layer answers with


api.add_exception_handler(InterfaceError, on_database_error)  # type: ignore[arg-type]


@api.exception_handler(RequestDataTooBig)
def on_request_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return request_too_large(request)  # 413 problem+json, not the generic 500 below


@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A value the database cannot hold (a NUL in PostgreSQL text, a number beyond 64 bits)
    is the client's input, not our failure. The schemas bound every input, so this is a
    backstop: logged as a warning, with the traceback, to find the field that let it in."""
    logger.warning("database refused a value on %s %s", request.method, request.path, exc_info=exc)
    return problem_response(422, "invalid_input", "A value is out of range or not allowed.")


api.add_exception_handler(OverflowError, on_data_error)  # type: ignore[arg-type]


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if is_database_outage(exc):  # e.g. a lazy queryset failing inside response validation
        return on_database_error(request, exc)  # type: ignore[arg-type]
    logger.exception("unhandled API error on %s %s", request.method, request.path)
    detail = f"{type(exc).__name__}" if settings.DEBUG else "Something went wrong on our side."
    return problem_response(500, "internal_error", detail)
