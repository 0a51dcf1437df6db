"""Error pages people can act on: session expired, not found, service unavailable."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from innkeeper.core.errors import PROBLEM_CONTENT_TYPE, ApplicationError
from innkeeper.core.middleware import is_api_request, wants_html


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with a stale token, usually after a long pause or a sign-out elsewhere."""
    return render(request, "web/session_expired.html", status=403)


def problem_page(request: HttpRequest, *, status: int, title: str, detail: str) -> HttpResponse:
    template = "web/unavailable.html" if status == 503 else "web/problem.html"
    return render(
        request, template, {"status": status, "title": title, "detail": detail}, status=status
    )


class WebProblemMiddleware:
    """On pages (not /api/), show domain errors and 503 problems as pages, not JSON or a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not wants_html(request)
            or response.status_code != 503
            or PROBLEM_CONTENT_TYPE not in response.get("Content-Type", "")
        ):
            return response
        # Maintenance or read-only mode (or the database down) answered with problem+json.
        try:
            problem = json.loads(response.content)
        except ValueError:
            problem = {}
        page = problem_page(
            request,
            status=503,
            title=str(problem.get("title", "Service unavailable")),
            detail=str(problem.get("detail", "Please try again in a few minutes.")),
        )
        if response.has_header("Retry-After"):
            page["Retry-After"] = response["Retry-After"]
        return page

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_api_request(request) or not isinstance(exception, ApplicationError):
            return None
        page = problem_page(
            request, status=exception.status, title=exception.title, detail=exception.detail
        )
        for name, value in exception.headers.items():
            page[name] = value
        return page
