"""One log line per slow or failed request, so "is it slow / is it failing, where?" has an
answer in the web log (`grep 'Slow request'`, `grep 'Server error'`) without an APM."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("innkeeper.requests")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        status = response.status_code
        if status >= 500:
            # Most 503s are deliberate (maintenance, read-only, database down): the code says which.
            logger.warning(
                "Server error %s %s %d %s %.0f ms",
                request.method,
                request.path,
                status,
                _problem_code(response),
                elapsed_ms,
            )
        elif elapsed_ms >= settings.SLOW_REQUEST_MS:
            logger.warning(
                "Slow request %s %s %d %.0f ms", request.method, request.path, status, elapsed_ms
            )
        return response


def _problem_code(response: HttpResponse) -> str:
    if not response.get("Content-Type", "").startswith("application/problem+json"):
        return "-"
    try:
        return str(json.loads(response.content).get("code", "-"))
    except (ValueError, AttributeError):
        return "-"
