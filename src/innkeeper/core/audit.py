"""The audit trail: one `audit_log()` call for every write that matters to an operator."""

from __future__ import annotations

import logging
from typing import Any

from innkeeper.accounts.models import User
from innkeeper.core.models import AuditEvent

logger = logging.getLogger("innkeeper.audit")


def audit_log(
    action: str,
    *,
    actor: Any = None,
    actor_label: str = "",
    target: str = "",
    source: str = "system",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record `action` (dotted code such as `maintenance.enabled`, `booking.cancelled`).

    `actor` is a user (or None); `actor_label` names a non-user actor such as the shell
    user running a CLI command. `source` is where it came from: api, admin, cli, web, system.
    """
    user = actor if isinstance(actor, User) and actor.pk else None
    label = actor_label or (str(actor) if actor is not None else "")
    event = AuditEvent.objects.create(
        action=action,
        actor=user,
        actor_label=label[:200],
        target=target[:200],
        source=source,
        details=details or {},
    )
    logger.info("audit %s actor=%s target=%s source=%s", action, label, target, source)
    return event
