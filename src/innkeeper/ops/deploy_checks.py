"""innkeeper's own `innkeeper check --deploy` checks (beside Django's security.* ones).

Each says what is wrong for production and which setting fixes it (README "Security").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from innkeeper.ops.clientip import trusted_proxy_networks

WEAK_SECRET_MARKERS = ("insecure", "change-me", "changeme", "secret", "example", "test")
MIN_SECRET_LENGTH = 50
LOOPBACK_ONLY = {"127.0.0.1/32", "::1/128"}
MAX_HEADER_TIMEOUT = 60  # granian's upper bound (seconds)


def _warning(msg: str, hint: str, code: int) -> checks.Warning:
    return checks.Warning(msg, hint=hint, id=f"innkeeper.W{code:03d}")


def check_secret_key(**_: Any) -> list[checks.CheckMessage]:
    key = str(settings.SECRET_KEY)
    weak = len(key) < MIN_SECRET_LENGTH or len(set(key)) < 10
    if weak or any(marker in key.lower() for marker in WEAK_SECRET_MARKERS):
        return [
            _warning(
                "SECRET_KEY is short, repetitive or looks like a placeholder.",
                "Set SECRET_KEY to a random value of 50+ characters, e.g. "
                "`python3 -c 'import secrets; print(secrets.token_urlsafe(64))'`.",
                1,
            )
        ]
    return []


def check_https(**_: Any) -> list[checks.CheckMessage]:
    if settings.HTTPS:
        return []
    return [
        _warning(
            "HTTPS=false: cookies are not marked Secure, no HSTS, no redirect to https.",
            "Serve innkeeper over TLS (at the load balancer) and set HTTPS=true.",
            2,
        )
    ]


def check_smtp(**_: Any) -> list[checks.CheckMessage]:
    backend = str(settings.MAILERS["default"]["BACKEND"])
    if backend.endswith("smtp.EmailBackend"):
        return []
    return [
        _warning(
            f"Guest email is not sent: the mail backend is {backend.rsplit('.', 2)[-2]}.",
            "Set EMAIL_URL=smtp+tls://user:password@smtp.example.com:587 (or smtp+ssl://).",
            3,
        )
    ]


def check_trusted_proxies(**_: Any) -> list[checks.CheckMessage]:
    try:
        trusted_proxy_networks()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="innkeeper.E004")]
    if not settings.BEHIND_PROXY:
        return []
    if set(settings.TRUSTED_PROXY_IPS) <= LOOPBACK_ONLY:
        return [
            _warning(
                "BEHIND_PROXY=true but TRUSTED_PROXY_IPS trusts only loopback: unless the proxy "
                "runs on this host, X-Forwarded-For is ignored and every client counts as the "
                "proxy's address (rate limits hit everyone at once).",
                "Set TRUSTED_PROXY_IPS to the load balancer's addresses, e.g. 10.0.0.0/24.",
                4,
            )
        ]
    return []


def check_server_timeouts(**_: Any) -> list[checks.CheckMessage]:
    if 1 <= settings.SERVER_HEADER_TIMEOUT <= MAX_HEADER_TIMEOUT:
        return []
    return [
        checks.Error(
            f"SERVER_HEADER_TIMEOUT={settings.SERVER_HEADER_TIMEOUT} is outside 1..60 seconds.",
            id="innkeeper.E005",
        )
    ]


def check_backup_encryption(**_: Any) -> list[checks.CheckMessage]:
    """Only where the backup settings offer encryption (BACKUP_ENCRYPTION_KEY)."""
    key = getattr(settings, "BACKUP_ENCRYPTION_KEY", None)
    if key is None or key:
        return []
    return [
        _warning(
            "Backups are written unencrypted (BACKUP_ENCRYPTION_KEY is empty).",
            "Set BACKUP_ENCRYPTION_KEY, kept outside BACKUP_DIR and outside the backups.",
            6,
        )
    ]


def register() -> None:
    for check in (check_secret_key, check_https, check_smtp, check_backup_encryption):
        checks.register(check, checks.Tags.security, deploy=True)
    # Broken proxy or timeout settings are wrong everywhere, not only in production.
    checks.register(check_trusted_proxies, checks.Tags.security)
    checks.register(check_server_timeouts, checks.Tags.security)
