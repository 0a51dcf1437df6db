"""The general API limit: every /api/v1 request counts against its user (token) or its IP."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from innkeeper.core.errors import application_error_response
from innkeeper.ops.ratelimit.config import enabled
from innkeeper.ops.ratelimit.identity import bearer_user_id, client_ip
from innkeeper.ops.ratelimit.services import RateLimited, enforce

API_PREFIX = "/api/v1/"


class ApiRateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Switched off (load tests): no token lookup, no limiter, nothing per request.
        if not request.path_info.startswith(API_PREFIX) or not enabled():
            return self.get_response(request)
        user_id = bearer_user_id(request)
        identity = ("user", str(user_id)) if user_id else ("ip", client_ip(request))
        try:
            decision = enforce("api", *identity)
        except RateLimited as refused:
            return application_error_response(refused)
        response = self.get_response(request)
        # An endpoint's own (stricter) scope already set its headers on a 429: keep those.
        if decision is not None and "X-RateLimit-Limit" not in response:
            for name, value in decision.headers().items():
                response[name] = value
        return response
