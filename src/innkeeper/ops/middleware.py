"""Request gates run before any view: IP blocklist, maintenance mode, read-only mode, and the
translation of a database outage anywhere in the stack into a 503 (never a 500 or a hang)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from innkeeper.ops.blocklist import is_blocked
from innkeeper.ops.clientip import client_ip
from innkeeper.ops.maintenance import (
    BYPASS_COOKIE,
    BYPASS_MAX_AGE_SECONDS,
    bypass_cookie_value,
    has_bypass,
    secret_matches,
)
from innkeeper.ops.outage import is_database_outage
from innkeeper.ops.redact import mark_secret_path
from innkeeper.ops.responses import database_unavailable, refusal
from innkeeper.ops.state import OpsState, StateUnavailable, current_state

logger = logging.getLogger(__name__)

# Probes must answer whatever the mode: load balancers and monitors depend on them.
# Gates decide on `path_info` (what routing resolves), never on `path`, which carries the
# script name a server may take from a client header (SCRIPT_NAME: /up).
EXEMPT_PREFIXES = ("/api/health/", "/static/")
EXEMPT_PATHS = frozenset({"/up", "/ready"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Signing in and out stays possible in read-only mode so staff can look around; these write
# only a session or token row, never business data.
READ_ONLY_ALLOWED = frozenset(
    {
        "/admin/login/",
        "/admin/logout/",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/account/login/",
        "/account/logout/",
        "/desk/login/",
        "/desk/logout/",
    }
)
DB_ERROR_FLAG = "_innkeeper_database_error"

Handler = Callable[[HttpRequest], HttpResponse]


def _is_exempt(path: str) -> bool:
    return path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES)


def _maintenance_answer(request: HttpRequest, state: OpsState) -> HttpResponse | None:
    candidate = request.path_info.strip("/")
    if "/" not in candidate and secret_matches(state, candidate):
        mark_secret_path(request)  # the path is the secret: never in an access log
        response = HttpResponseRedirect("/")
        response.set_cookie(
            BYPASS_COOKIE,
            bypass_cookie_value(state),
            max_age=BYPASS_MAX_AGE_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
        return response
    if has_bypass(request, state):
        return None
    return refusal(
        request,
        status=503,
        code="maintenance",
        title="Down for maintenance",
        detail=state.message or "innkeeper is down for maintenance; please come back shortly.",
        retry_after=state.retry_after,
        refresh=state.refresh,
    )


def _read_only_answer(request: HttpRequest, state: OpsState) -> HttpResponse | None:
    if request.method in SAFE_METHODS or request.path_info in READ_ONLY_ALLOWED:
        return None
    return refusal(
        request,
        status=503,
        code="read_only",
        title="Read-only mode",
        detail="innkeeper is in read-only mode: you can look things up, but changes are "
        "paused for now. Please try again later.",
        retry_after=state.retry_after,
    )


class OpsGateMiddleware:
    """Blocklist (403), maintenance (503 + bypass cookie) and read-only (503 on writes)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_exempt(request.path_info):
            return self.get_response(request)
        try:
            state = current_state()
        except StateUnavailable:
            logger.error("database unavailable while reading the site mode (%s)", request.path)
            return database_unavailable(request)
        answer = self._gate(request, state)
        return answer if answer is not None else self.get_response(request)

    def _gate(self, request: HttpRequest, state: OpsState) -> HttpResponse | None:
        if state.blocked and is_blocked(state, client_ip(request)):
            return refusal(
                request,
                status=403,
                code="ip_blocked",
                title="Forbidden",
                detail="Requests from your network are blocked.",
            )
        if state.maintenance:
            answer = _maintenance_answer(request, state)
            if answer is not None:
                return answer
        if state.read_only:
            return _read_only_answer(request, state)
        return None


def note_database_error(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """got_request_exception receiver: remember that a request died of a database error.

    Exceptions raised inside other middleware (session save, auth lookup) never reach a
    process_exception hook: Django turns them into a 500 on the spot. This flag lets
    DatabaseOutageMiddleware turn that 500 into the 503 it should be.
    """
    error = sys.exc_info()[1]
    if request is not None and error is not None and is_database_outage(error):
        setattr(request, DB_ERROR_FLAG, True)


class DatabaseOutageMiddleware:
    """Outermost: a 500 caused by a database outage becomes 503 problem+json + Retry-After."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 500 and getattr(request, DB_ERROR_FLAG, False):
            return database_unavailable(request)
        return response
