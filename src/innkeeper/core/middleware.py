"""Make sure nothing under /api/ ever answers with an HTML error page or a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from innkeeper.core.errors import problem_response

logger = logging.getLogger(__name__)

API_PREFIXES = ("/api/",)
DB_RETRY_AFTER_SECONDS = "5"


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIXES)  # what routing sees, not SCRIPT_NAME


def wants_html(request: HttpRequest) -> bool:
    """Pages answer errors as HTML to browsers (which ask for text/html) and as problem+json
    to everything else: curl, monitors, scripts."""
    return not is_api_request(request) and "text/html" in request.headers.get("Accept", "")


class ApiProblemMiddleware:
    """Turn Django's own 404/405/500 answers on API paths into problem+json."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api_request(request) or response.status_code < 400:
            return response
        content_type = response.get("Content-Type", "")
        if "json" in content_type:
            return response
        status = response.status_code
        if status == 404:
            return problem_response(404, "not_found", f"No API endpoint at {request.path}.")
        if status == 405:
            allowed = response.get("Allow", "")
            return problem_response(
                405,
                "method_not_allowed",
                f"Method not allowed here. Allowed: {allowed}.",
                headers={"Allow": allowed} if allowed else None,
            )
        if status >= 500:
            return problem_response(500, "internal_error", "Something went wrong on our side.")
        return problem_response(status, "bad_request", "The request could not be processed.")

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("database error while serving %s: %s", request.path, exception)
            return problem_response(
                503,
                "database_unavailable",
                "The database is unavailable; try again shortly.",
                headers={"Retry-After": DB_RETRY_AFTER_SECONDS},
            )
        if is_api_request(request):
            logger.exception("unhandled error while serving %s", request.path)
            return problem_response(500, "internal_error", "Something went wrong on our side.")
        return None
