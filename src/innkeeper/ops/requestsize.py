"""413 for bodies over the limits, before anything reads them (issue 12, finding 2).

Bodies without files may be DATA_UPLOAD_MAX_MEMORY_SIZE bytes, uploads (multipart: room photos
in the admin) UPLOAD_MAX_BYTES. The declared Content-Length decides up front (`innkeeper serve`
always passes the true length); a body Django finds too big while reading it anyway
(RequestDataTooBig) gets the same answer instead of a 400 or 500.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from innkeeper.core.middleware import is_api_request
from innkeeper.ops.responses import refusal

Handler = Callable[[HttpRequest], HttpResponse]


def body_limit(request: HttpRequest) -> int | None:
    """The most bytes this request's body may have (None: no limit configured)."""
    if request.content_type == "multipart/form-data":
        return int(settings.UPLOAD_MAX_BYTES)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return None if limit is None else int(limit)


def request_too_large(request: HttpRequest) -> HttpResponse:
    limit = body_limit(request)
    detail = "The request body is too large."
    if limit is not None:
        detail = f"The request body is too large: at most {limit} bytes are accepted here."
    return refusal(
        request, status=413, code="request_too_large", title="Request too large", detail=detail
    )


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django treats a bad Content-Length as an empty body


def _parses_form_early(request: HttpRequest) -> bool:
    return (
        request.method == "POST"
        and request.content_type == "multipart/form-data"
        and not is_api_request(request)  # the API reads its own bodies (Ninja)
    )


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request)
        if limit is not None and _declared_length(request) > limit:
            return request_too_large(request)
        if _parses_form_early(request):
            # Form fields of an upload count against DATA_UPLOAD_MAX_MEMORY_SIZE while parsing;
            # CsrfViewMiddleware would parse first and turn the overflow into a bare 400.
            try:
                request.POST  # noqa: B018 - parse now, where the overflow can become a 413
            except RequestDataTooBig:
                return request_too_large(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return request_too_large(request)
        return None
