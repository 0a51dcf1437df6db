"""The IP blocklist ("block offending IPs"): services and the per-request lookup."""

from __future__ import annotations

import ipaddress

from django.db import IntegrityError, transaction

from innkeeper.core.audit import audit_log
from innkeeper.core.errors import Conflict, InvalidInput, NotFound
from innkeeper.ops.clientip import parse_address
from innkeeper.ops.models import BlockedNetwork
from innkeeper.ops.state import OpsState, forget_state


def normalize_network(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError as error:
        raise InvalidInput(f"{value!r} is not an IP address or CIDR range.") from error


def ip_block(*, network: str, reason: str = "", actor: str, source: str = "cli") -> BlockedNetwork:
    cidr = normalize_network(network)
    try:
        with transaction.atomic():
            entry = BlockedNetwork.objects.create(
                network=cidr, reason=reason[:300], created_by=actor[:200]
            )
            audit_log(
                "security.ip_blocked",
                actor_label=actor,
                target=cidr,
                source=source,
                details={"reason": reason},
            )
    except IntegrityError as error:
        raise Conflict(f"{cidr} is already blocked.", code="already_blocked") from error
    forget_state()
    return entry


def ip_unblock(*, network: str, actor: str, source: str = "cli") -> None:
    cidr = normalize_network(network)
    with transaction.atomic():
        deleted, _ = BlockedNetwork.objects.filter(network=cidr).delete()
        if not deleted:
            raise NotFound(f"{cidr} is not blocked.", code="not_blocked")
        audit_log("security.ip_unblocked", actor_label=actor, target=cidr, source=source)
    forget_state()


def blocked_networks() -> list[BlockedNetwork]:
    return list(BlockedNetwork.objects.all())


def is_blocked(state: OpsState, address: str) -> bool:
    ip = parse_address(address)  # ::ffff:192.0.2.1 is 192.0.2.1 for an IPv4 block
    if ip is None:
        return False
    return any(ip.version == net.version and ip in net for net in state.blocked)
