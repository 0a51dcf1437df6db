"""`GET /metrics`: who may read it, and what one scrape returns.

Never public by default: METRICS_TOKEN (a bearer token) and/or METRICS_ALLOWED_CIDRS open it;
with neither set only loopback may read it. Both set: both must match.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, multiprocess
from prometheus_client.exposition import choose_encoder

from innkeeper.core.errors import problem_response
from innkeeper.ops.clientip import client_ip
from innkeeper.ops.telemetry.collector import StateCollector
from innkeeper.ops.telemetry.multiproc import active_dir
from innkeeper.ops.telemetry.processes import ProcessesCollector

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def allowed_networks() -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(c, strict=False) for c in settings.METRICS_ALLOWED_CIDRS)


def _peer(request: HttpRequest) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    # Behind a proxy every request comes from the proxy's (often loopback) address: judge the
    # address the proxy saw instead, or the "loopback only" default would admit everyone.
    try:
        return ipaddress.ip_address(client_ip(request))
    except ValueError:
        return None


def refusal(request: HttpRequest) -> HttpResponse | None:
    """None when the request may read the metrics, else the 401/403 to answer."""
    peer = _peer(request)
    networks = allowed_networks()
    token = settings.METRICS_TOKEN
    if networks and (peer is None or not any(peer in net for net in networks)):
        return problem_response(403, "metrics_forbidden", "Metrics are not served to you.")
    if token:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return problem_response(
                401,
                "metrics_unauthorized",
                "Metrics need 'Authorization: Bearer <METRICS_TOKEN>'.",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
    if not networks and not token and (peer is None or not peer.is_loopback):
        return problem_response(
            403,
            "metrics_forbidden",
            "Metrics are served to loopback only; set METRICS_TOKEN or METRICS_ALLOWED_CIDRS.",
        )
    return None


@functools.cache
def scrape_registry() -> CollectorRegistry:
    """Multiprocess: every process's files added up, plus each live process's CPU/memory.
    Single process: the default registry (which has the process collector already)."""
    directory = active_dir()
    if directory is None:
        registry = REGISTRY
    else:
        registry = CollectorRegistry(auto_describe=False)
        multiprocess.MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]
        registry.register(ProcessesCollector(directory))
    registry.register(StateCollector())
    return registry


def metrics_view(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return problem_response(
            405, "method_not_allowed", "Use GET.", headers={"Allow": "GET, HEAD"}
        )
    denied = refusal(request)
    if denied is not None:
        return denied
    # Prometheus says in Accept which formats it reads (text 0.0.4, OpenMetrics); honour it.
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encoder(scrape_registry()), content_type=content_type)
