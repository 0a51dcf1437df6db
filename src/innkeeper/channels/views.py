"""The calendar feed channels poll: `GET /calendar/<token>.ics`.

Polled often, so it answers a conditional GET from one aggregate query (304, no body built).
An unknown or rotated token is a plain 404 that says nothing about which rooms exist."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from innkeeper.channels.feed import render_feed
from innkeeper.channels.selectors import busy_ranges, export_by_token, feed_version
from innkeeper.core.errors import NotFound

CONTENT_TYPE = "text/calendar; charset=utf-8"


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    export = export_by_token(token)
    if export is None:
        raise NotFound("No such calendar.", code="calendar_not_found")
    seed, last_modified = feed_version(export)
    etag = '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'
    modified = last_modified.timestamp()
    answer = get_conditional_response(request, etag=etag, last_modified=int(modified))
    if answer is None:
        answer = HttpResponse(render_feed(export, busy_ranges(export)), content_type=CONTENT_TYPE)
    answer["ETag"] = etag
    answer["Last-Modified"] = http_date(modified)
    # Channels must revalidate each poll; the token-bearing URL is nobody's shared cache entry.
    answer["Cache-Control"] = "private, no-cache"
    return answer
