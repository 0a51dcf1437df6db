"""Refusals the ops layer answers itself: problem+json for API clients, a small page for people."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from innkeeper.core.errors import problem_response
from innkeeper.core.middleware import DB_RETRY_AFTER_SECONDS, wants_html


def wants_json(request: HttpRequest) -> bool:
    return not wants_html(request)


def refusal(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    retry_after: int | None = None,
    refresh: int | None = None,
) -> HttpResponse:
    headers: dict[str, str] = {}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    if wants_json(request):
        return problem_response(status, code, detail, title=title, headers=headers)
    # No request passed to the template: context processors would touch the session/DB.
    body = render_to_string(
        "ops/unavailable.html",
        {"title": title, "detail": detail, "retry_after": retry_after, "refresh": refresh},
    )
    response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    for name, value in headers.items():
        response[name] = value
    if refresh:
        response["Refresh"] = str(refresh)
    return response


def database_unavailable(request: HttpRequest) -> HttpResponse:
    return refusal(
        request,
        status=503,
        code="database_unavailable",
        title="Service unavailable",
        detail="The database is unavailable; try again shortly.",
        retry_after=int(DB_RETRY_AFTER_SECONDS),
    )
