"""One log line per slow or failed request, so "is it slow / is it failing, where?" has an
answer in the web log (`grep 'Slow request'`, `grep 'Server error'`) without an APM."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

from innkeeper.ops.telemetry.routes import loggable_path, route_of

logger = logging.getLogger("innkeeper.requests")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        status = response.status_code
        if status < 500 and elapsed_ms < settings.SLOW_REQUEST_MS:
            return response
        fields = _fields(request, response, elapsed_ms)
        path = fields["path"]
        if status >= 500:
            # Most 503s are deliberate (maintenance, read-only, database down): the code says which.
            logger.warning(
                "Server error %s %s %d %s %.0f ms",
                request.method,
                path,
                status,
                fields["code"],
                elapsed_ms,
                extra=fields,
            )
        else:
            logger.warning(
                "Slow request %s %s %d %.0f ms",
                request.method,
                path,
                status,
                elapsed_ms,
                extra=fields,
            )
        return response


def _fields(request: HttpRequest, response: HttpResponse, elapsed_ms: float) -> dict[str, Any]:
    """The JSON log's fields (LOG_FORMAT=json); the request id is added to every line anyway."""
    return {
        "method": request.method,
        "path": loggable_path(request),
        "route": route_of(request),
        "status": response.status_code,
        "code": _problem_code(response),
        "duration_ms": round(elapsed_ms, 1),
        "user_id": _user_id(request),
    }


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id, if the request already looked it up (never a new query)."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        user = None  # the session was never read: don't read it now
    auth = getattr(request, "auth", None)  # the API's bearer token user
    for candidate in (user, getattr(auth, "user", None), auth):
        if getattr(candidate, "is_authenticated", False):
            return getattr(candidate, "pk", None)
    return None


def _problem_code(response: HttpResponse) -> str:
    if not response.get("Content-Type", "").startswith("application/problem+json"):
        return "-"
    try:
        return str(json.loads(response.content).get("code", "-"))
    except (ValueError, AttributeError):
        return "-"
