"""Rate limits on the page forms: the API's scopes (login, register, booking create), answered
with the same form, what was typed kept, and a message instead of an error page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from innkeeper.ops.ratelimit.services import RateLimited

WAIT = (
    "Too many attempts from here in a short time. Please wait {seconds} seconds, "
    "then send the form again."
)


def limited_page(
    request: HttpRequest, template: str, context: dict[str, Any], refused: RateLimited
) -> HttpResponse:
    """429 with Retry-After, showing the form again with a clear message above it."""
    seconds = refused.extra.get("retry_after", refused.headers.get("Retry-After", "60"))
    response = render(
        request, template, {**context, "limited": WAIT.format(seconds=seconds)}, status=429
    )
    for name, value in refused.headers.items():
        response[name] = value
    return response
