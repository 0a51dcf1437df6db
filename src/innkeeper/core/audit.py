"""The audit trail: one `audit_log()` call for every write that matters to an operator."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q

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
    # The configured user model (accounts.User), found without importing it: core imports
    # nothing of ours.
    user = actor if isinstance(actor, get_user_model()) and actor.pk else None
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


def audit_events(
    *,
    action_prefix: str = "",
    target: str = "",
    actor: str = "",
    since: datetime | None = None,
    limit: int = 50,
) -> list[AuditEvent]:
    """Newest first. `actor` matches the user's email or the label (e.g. `ops@host`)."""
    events = AuditEvent.objects.select_related("actor")
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    if target:
        events = events.filter(target__icontains=target)
    if actor:
        events = events.filter(Q(actor_label__icontains=actor) | Q(actor__email__iexact=actor))
    if since is not None:
        events = events.filter(created_at__gte=since)
    return list(events.order_by("-created_at", "-id")[:limit])
