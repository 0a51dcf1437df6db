"""One error family for the whole application, rendered as RFC 9457 problem+json in one place."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse

from innkeeper.core.requestid import current_request_id

PROBLEM_CONTENT_TYPE = "application/problem+json"


class ApplicationError(Exception):
    """A domain error a caller can act on. `code` is stable; `detail` is for people."""

    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        status: int | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.extra = extra or {}
        self.headers = headers or {}


class InvalidInput(ApplicationError):
    status, code, title = 422, "invalid_input", "Invalid input"


class NotFound(ApplicationError):
    status, code, title = 404, "not_found", "Not found"


class Unauthorized(ApplicationError):
    status, code, title = 401, "unauthorized", "Authentication required"


class Forbidden(ApplicationError):
    status, code, title = 403, "forbidden", "Forbidden"


class Conflict(ApplicationError):
    status, code, title = 409, "conflict", "Conflict"


class RoomUnavailable(Conflict):
    code, title = "room_unavailable", "Room unavailable"


class InvalidTransition(Conflict):
    code, title = "invalid_transition", "Invalid status change"


class BackupFailed(ApplicationError):
    """A backup, drill or restore could not be done (tool missing, checksum, check failed)."""

    status, code, title = 500, "backup_failed", "Backup operation failed"


class ServiceUnavailable(ApplicationError):
    status, code, title = 503, "service_unavailable", "Service unavailable"


TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    body: dict[str, Any] = {
        "type": f"urn:innkeeper:problem:{code}",
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    request_id = current_request_id()
    if request_id is not None:
        # The id in the X-Request-ID header and in the logs: quote it when reporting a problem.
        body["request_id"] = request_id
    # Extension members never override the RFC 9457 core members.
    body.update({k: v for k, v in (extra or {}).items() if k not in body})
    response = JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def application_error_response(error: ApplicationError) -> JsonResponse:
    return problem_response(
        error.status,
        error.code,
        error.detail,
        title=error.title,
        extra=error.extra,
        headers=error.headers,
    )
