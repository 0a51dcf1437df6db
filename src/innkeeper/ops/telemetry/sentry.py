"""Optional error reporting to Sentry (SENTRY_DSN). Nothing that opens a door leaves the
machine: no cookies, tokens, magic links, local variables or configured secrets in an event."""

from __future__ import annotations

import re
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

FILTERED = "[Filtered]"
# Settings whose values must never appear anywhere in an event.
SECRET_SETTINGS = (
    "SECRET_KEY",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "METRICS_TOKEN",
    "HEALTH_TOKEN",
)
EXTRA_DENYLIST = ["client_secret", "stripe_signature", "idempotency_key", "magic", "dsn"]
PATTERNS = (
    re.compile(r"(/manage/)[^/?#\s\"']+"),  # the emailed "manage your booking" link
    re.compile(r"(?i)(bearer\s+)[^\s\"']+"),
    # Anything signed by django.core.signing (magic links, password resets): payload:ts:sig.
    re.compile(r"()[A-Za-z0-9_\-]{10,}:[A-Za-z0-9_\-]{4,}:[A-Za-z0-9_\-]{20,}"),
    re.compile(r"()\b(?:sk|rk|whsec)_(?:live|test)?_?[A-Za-z0-9]{8,}"),  # Stripe keys
)


def secret_values() -> list[str]:
    from django.conf import settings

    values = [str(getattr(settings, name, "") or "") for name in SECRET_SETTINGS]
    values += [str(db.get("PASSWORD") or "") for db in settings.DATABASES.values()]
    values += [
        str(mailer.get("OPTIONS", {}).get("password") or "")
        for mailer in getattr(settings, "MAILERS", {}).values()
    ]
    # Short values would blank out ordinary words; real secrets are long.
    return sorted({v for v in values if len(v) >= 8}, key=len, reverse=True)


def scrub(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, FILTERED)
        for pattern in PATTERNS:
            value = pattern.sub(lambda m: m.group(1) + FILTERED, value)
        return value
    if isinstance(value, dict):
        return {key: scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item, secrets) for item in value]
    return value


def before_send(event: Any, hint: dict[str, Any]) -> Any:
    return scrub(event, secret_values())


def init_sentry(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        event_scrubber=EventScrubber(denylist=DEFAULT_DENYLIST + EXTRA_DENYLIST, recursive=True),
        before_send=before_send,
        before_send_transaction=before_send,
        before_breadcrumb=lambda crumb, hint: scrub(crumb, secret_values()),
        traces_sample_rate=traces_sample_rate,
    )
