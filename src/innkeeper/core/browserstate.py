"""Django's session, authentication and message middleware, skipped for the requests that
cannot use them: API and health calls that carry no cookie (token clients, monitors, load
balancers). Without a cookie there is no session to load, no user behind it and no message to
show; building the three per request was about a quarter of the CPU of `GET /api/health/live`
(issue 18, bench/README.md).

On that path `request.user` is still set (anonymous: views may ask `is_authenticated`), and
`request.session` and the message storage are absent: API views authenticate by bearer token
only. Any request with a cookie takes Django's own path. Subclasses, so that Django's checks
(the admin's) still find the three in MIDDLEWARE.
"""

from __future__ import annotations

from collections.abc import Awaitable

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest
from django.http.response import HttpResponseBase

# What routing sees (path_info), not SCRIPT_NAME: the API and the health aliases.
STATELESS_PREFIXES = ("/api/",)
STATELESS_PATHS = frozenset({"/up", "/ready"})


def is_stateless(request: HttpRequest) -> bool:
    if "HTTP_COOKIE" in request.META:
        return False
    path = request.path_info
    return path.startswith(STATELESS_PREFIXES) or path in STATELESS_PATHS


class StatelessSkipSessionMiddleware(SessionMiddleware):
    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if is_stateless(request):
            return self.get_response(request)
        return super().__call__(request)


class StatelessSkipAuthenticationMiddleware(AuthenticationMiddleware):
    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if is_stateless(request):
            request.user = AnonymousUser()
            return self.get_response(request)
        return super().__call__(request)


class StatelessSkipMessageMiddleware(MessageMiddleware):
    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if is_stateless(request):
            return self.get_response(request)
        return super().__call__(request)
