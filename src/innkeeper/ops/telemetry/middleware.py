"""Outermost middleware: gives each request its id, times it, counts it by route template and
status class (and problem code), and answers `GET /metrics` itself, before every other gate,
so that a scrape works in maintenance mode and while the database is down."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

from innkeeper.core.errors import PROBLEM_CONTENT_TYPE
from innkeeper.core.instruments import HTTP_LATENCY, HTTP_PROBLEMS, HTTP_REQUESTS
from innkeeper.core.requestid import (
    is_valid_request_id,
    new_request_id,
    set_request_id,
)
from innkeeper.ops.clientip import is_trusted_proxy
from innkeeper.ops.telemetry.exposition import metrics_view
from innkeeper.ops.telemetry.routes import route_of

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_META = "HTTP_X_REQUEST_ID"
METRICS_PATH = "/metrics"


def incoming_request_id(request: HttpRequest) -> str:
    """A proxy's id when the request came through a trusted proxy (TRUSTED_PROXIES > 0 and the
    direct peer in TRUSTED_PROXY_IPS): one id then follows the request from the load balancer's
    log to ours. From anyone else, and when malformed, a new one."""
    given = str(request.META.get(REQUEST_ID_META, ""))  # not request.headers: it copies them all
    if (
        given
        and settings.TRUSTED_PROXIES > 0
        and is_trusted_proxy(str(request.META.get("REMOTE_ADDR", "")))
        and is_valid_request_id(given)
    ):
        return given
    return new_request_id()


def problem_code(response: HttpResponse) -> str | None:
    if not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE):
        return None
    try:
        return str(json.loads(response.content).get("code") or "unknown")
    except (ValueError, AttributeError):
        return "unknown"


# The labelled series of each (method, route, status class): `labels()` validates and locks on
# every call, which was a measurable share of a liveness request (issue 18). Routes are
# templates, so this stays small; past the cap (odd methods), `labels()` is called as before.
_MAX_SERIES = 2000
_series: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def _children(method: str, route: str, status_class: int) -> tuple[Any, Any]:
    key = (method, route, status_class)
    found = _series.get(key)
    if found is None:
        found = (
            HTTP_REQUESTS.labels(method, route, f"{status_class}xx"),
            HTTP_LATENCY.labels(method, route),
        )
        if len(_series) < _MAX_SERIES:
            _series[key] = found
    return found


def record(request: HttpRequest, response: HttpResponse, seconds: float) -> None:
    status = response.status_code
    requests, latency = _children(request.method or "-", route_of(request), status // 100)
    requests.inc()
    latency.observe(seconds)
    if status >= 400:
        code = problem_code(response)
        if code is not None:
            HTTP_PROBLEMS.labels(code, str(status)).inc()


class TelemetryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.enabled = settings.METRICS_ENABLED

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = incoming_request_id(request)
        # Kept until request_finished, not reset on the way out: Django logs 4xx/5xx answers
        # (django.request) after the middleware returned, and those lines need the id too.
        set_request_id(request_id)
        if self.enabled and request.path_info == METRICS_PATH:
            response = metrics_view(request)
        else:
            started = time.perf_counter()
            response = self.get_response(request)
            if self.enabled:
                record(request, response, time.perf_counter() - started)
        response[REQUEST_ID_HEADER] = request_id
        return response


def forget_request_id(sender: object, **kwargs: object) -> None:
    set_request_id(None)


request_finished.connect(forget_request_id, dispatch_uid="innkeeper.forget_request_id")
