"""The route template a request matched ("api/v1/bookings/<reference>"), never its raw path:
metrics and logs are grouped by it, and their label sets stay small whatever clients send."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import Resolver404, resolve

UNMATCHED = "<unmatched>"
_ATTR = "_innkeeper_route"


def route_of(request: HttpRequest) -> str:
    cached: str | None = getattr(request, _ATTR, None)
    if cached is not None:
        return cached
    route = _route(request)
    setattr(request, _ATTR, route)
    return route


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        # Answered by middleware before routing (maintenance, rate limit, static files).
        if request.path_info.startswith(settings.STATIC_URL):
            return "static"
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return UNMATCHED
    return "/" + (match.route or match.view_name or UNMATCHED)


# URL parts that open a door (the emailed magic link) never reach a log line.
SECRET_URL_KWARGS = frozenset({"token"})


def loggable_path(request: HttpRequest) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name, value in match.kwargs.items() if match is not None else ():
        if name in SECRET_URL_KWARGS and isinstance(value, str) and value:
            path = path.replace(value, "[Filtered]")
    return path
