"""`innkeeper audit`: the audit trail from the shell (who switched maintenance, cleared a
limit, refunded a booking...), newest first."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from innkeeper.core.audit import audit_events
from innkeeper.core.models import AuditEvent
from innkeeper.ops.cliutil import parse_age


def _as_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "at": event.created_at.isoformat(),
        "action": event.action,
        "actor": event.actor_label or (event.actor.email if event.actor else ""),
        "source": event.source,
        "target": event.target,
        "details": event.details,
    }


class Command(BaseCommand):
    help = "List audit events, newest first (e.g. --action maintenance. --since 24h)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--action", default="", help="action prefix, e.g. security. or queue")
        parser.add_argument("--target", default="", help="text in the target, e.g. a reference")
        parser.add_argument("--actor", default="", help="user email or operator label")
        parser.add_argument("--since", default="", help="only the last 30m, 24h, 7d ...")
        parser.add_argument("--limit", type=int, default=50)
        parser.add_argument("--json", action="store_true", help="one JSON list for scripts")

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options["since"]:
            since = timezone.now() - parse_age(options["since"], flag="--since")
        events = audit_events(
            action_prefix=options["action"],
            target=options["target"],
            actor=options["actor"],
            since=since,
            limit=max(1, options["limit"]),
        )
        rows = [_as_dict(event) for event in events]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("No audit events match.")
        for row in rows:
            details = json.dumps(row["details"], sort_keys=True) if row["details"] else ""
            self.stdout.write(
                f"{row['at'][:19]}  {row['action']:<30} {row['actor'] or '-':<28} "
                f"{row['source']:<6} {row['target']}  {details}".rstrip()
            )
