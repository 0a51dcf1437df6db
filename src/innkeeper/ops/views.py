"""Health endpoints: plain Django views, outside /api/v1, that never need a session."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from innkeeper.accounts.services import token_authenticate
from innkeeper.core.errors import problem_response
from innkeeper.ops.health import UNHEALTHY, run_checks
from innkeeper.ops.responses import database_unavailable


def _report_response(report: dict[str, object]) -> JsonResponse:
    return JsonResponse(report, status=503 if report["status"] == UNHEALTHY else 200)


@never_cache
@require_safe
def live(request: HttpRequest) -> HttpResponse:
    """The process is up and serving. Touches nothing else, so it stays 200 in any outage."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def ready(request: HttpRequest) -> HttpResponse:
    return _report_response(run_checks(full=False))


def _presented_token(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("X-Health-Token", "").strip()


def may_see_full(request: HttpRequest) -> bool:
    """HEALTH_TOKEN (no database needed, so it works mid-outage), a staff API token, or a
    staff admin session."""
    token = _presented_token(request)
    expected = settings.HEALTH_TOKEN
    if token and expected and hmac.compare_digest(token.encode(), expected.encode()):
        return True
    if token:
        user = token_authenticate(raw_token=token)
        return bool(user and user.is_staff)
    return bool(request.user.is_authenticated and request.user.is_staff)


@never_cache
@require_safe
def full(request: HttpRequest) -> HttpResponse:
    try:
        allowed = may_see_full(request)
    except DatabaseError:
        return database_unavailable(request)
    if not allowed:
        return problem_response(
            401,
            "unauthorized",
            "The full health report needs HEALTH_TOKEN (Authorization: Bearer or "
            "X-Health-Token), a staff API token or a staff session.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return _report_response(run_checks(full=True))
