"""The operational state every request consults: maintenance/read-only mode and the IP blocklist.

Both live in the database so all processes share them. Each process keeps a snapshot for at
most STATE_TTL_SECONDS, so a request costs no query most of the time and a switch made by
`innkeeper maintenance ...` in another process takes effect within about a second.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import DatabaseError

from innkeeper.ops.models import BlockedNetwork, SiteMode

STATE_TTL_SECONDS = 1.0

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class OpsState:
    maintenance: bool = False
    read_only: bool = False
    message: str = ""
    retry_after: int = 60
    refresh: int | None = None
    secret_hash: str = ""
    changed_by: str = ""
    blocked: tuple[IPNetwork, ...] = field(default_factory=tuple)

    @property
    def mode(self) -> str:
        if self.maintenance:
            return "maintenance"
        return "read_only" if self.read_only else "normal"


class StateUnavailable(Exception):
    """The database could not be asked; callers answer 503 instead of guessing."""


_lock = threading.Lock()
_snapshot: OpsState | None = None
_expires_at = 0.0


def _load() -> OpsState:
    row = SiteMode.objects.filter(pk=SiteMode.SINGLETON_PK).first()
    networks = tuple(
        ipaddress.ip_network(value, strict=False)
        for value in BlockedNetwork.objects.values_list("network", flat=True)
    )
    if row is None:
        return OpsState(blocked=networks)
    return OpsState(
        maintenance=row.maintenance,
        read_only=row.read_only,
        message=row.message,
        retry_after=row.retry_after,
        refresh=row.refresh,
        secret_hash=row.secret_hash,
        changed_by=row.changed_by,
        blocked=networks,
    )


def current_state() -> OpsState:
    """The shared state, at most STATE_TTL_SECONDS old.

    When the database cannot be read, the failure is remembered for one TTL: the caller gets
    StateUnavailable once, and meanwhile the last known state is served, so an outage costs
    each process one failed connection attempt per second here, not one per request.
    """
    global _snapshot, _expires_at
    now = time.monotonic()
    with _lock:
        if now < _expires_at and _snapshot is not None:
            return _snapshot
    try:
        fresh = _load()
    except DatabaseError as error:
        with _lock:
            _expires_at = now + STATE_TTL_SECONDS
            if _snapshot is None:
                _snapshot = OpsState()
        raise StateUnavailable from error
    with _lock:
        _snapshot, _expires_at = fresh, now + STATE_TTL_SECONDS
    return fresh


def forget_state() -> None:
    """Drop this process's snapshot (after a switch made in this process)."""
    global _expires_at
    with _lock:
        _expires_at = 0.0


@contextmanager
def pinned_state(state: OpsState) -> Iterator[None]:
    """Serve `state` without asking the database until the block ends (tests without a DB)."""
    global _snapshot, _expires_at
    with _lock:
        _snapshot, _expires_at = state, float("inf")
    try:
        yield
    finally:
        forget_state()
