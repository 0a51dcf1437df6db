"""The client's address, honouring X-Forwarded-For only from as many proxies as configured."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or with TRUSTED_PROXIES=N the Nth address from the right of
    X-Forwarded-For (what the outermost trusted proxy saw); clients cannot spoof it."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    hops = int(getattr(settings, "TRUSTED_PROXIES", 0))
    if hops <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    return chain[-hops] if len(chain) >= hops else remote
