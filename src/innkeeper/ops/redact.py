"""Secrets that travel in URL paths never reach a log line: the emailed manage-booking link,
the password-reset link and the maintenance bypass secret.

Two guards, because lines come from two places:
- RedactSecretsFilter (settings.LOGGING: on every handler and on the HTTP servers' access
  loggers) rewrites any message that carries such a path;
- RedactPathMiddleware (outermost) rewrites the WSGI environ once the response is made, so a
  server that writes its access line from the environ afterwards (gunicorn) logs the
  redacted path. The bypass path is only known by matching the secret, so the maintenance
  gate marks that request with `mark_secret_path`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

REDACTED = "[redacted]"
SECRET_PATHS = (
    (re.compile(r"(/manage/)[^/?#\s\"']+"), rf"\g<1>{REDACTED}"),
    (
        re.compile(r"(/account/reset/[^/?#\s\"']+/)(?!set-password/)[^/?#\s\"']+"),
        rf"\g<1>{REDACTED}",
    ),
    # Calendar export feeds (channels): the token is the feed's only credential.
    (re.compile(r"(/calendar/)[^/?#\s\"']+(\.ics)"), rf"\g<1>{REDACTED}\g<2>"),
)
MARK = "_innkeeper_redacted_path"
BYPASS_PATH = f"/{REDACTED}"


def redact(text: str) -> str:
    for pattern, replacement in SECRET_PATHS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to the formatter
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def mark_secret_path(request: HttpRequest, shown_as: str = BYPASS_PATH) -> None:
    """This request's path is itself a secret: log it as `shown_as`."""
    setattr(request, MARK, shown_as)


ENVIRON_KEYS = ("RAW_URI", "REQUEST_URI", "PATH_INFO", "HTTP_REFERER")


class RedactPathMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # request.META is the server's environ dict: the access line is written from it.
        environ = request.META
        shown_as = getattr(request, MARK, None)
        for key in ENVIRON_KEYS:
            value = environ.get(key)
            if not isinstance(value, str):
                continue
            if shown_as is not None and key != "HTTP_REFERER":
                environ[key] = shown_as
            else:
                environ[key] = redact(value)
        return response
