"""`innkeeper metrics [--since 1h] [--json]`: bookings, payments, emails, queue, active users
and database connections over a window, for a person or a monitoring script."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from innkeeper.ops.cliutil import parse_age
from innkeeper.ops.metrics import Metrics, metrics_snapshot


def _pairs(values: dict[str, Any]) -> str:
    return "  ".join(f"{key} {value}" for key, value in values.items()) or "-"


def render(metrics: Metrics, window: str) -> list[str]:
    rate = metrics.booking_success_rate
    return [
        f"window            last {window}",
        f"bookings          {_pairs(metrics.bookings)}",
        f"booking success   {'-' if rate is None else f'{rate:.1%}'} (confirmed vs expired holds)",
        f"pending now       {metrics.bookings_pending_now}",
        f"payments          {_pairs(metrics.payments)}",
        f"emails            {_pairs(metrics.emails)}",
        f"queue             {_pairs(metrics.queue)}",
        f"active users      {_pairs(metrics.active_users)}",
        f"database          {_pairs(metrics.database)}",
    ]


class Command(BaseCommand):
    help = "Operational figures over a window: bookings, payments, emails, queue, users, DB."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", default="1h", help="window: 15m, 1h, 24h, 7d ...")
        parser.add_argument("--json", action="store_true", help="one JSON object for scripts")

    def handle(self, *args: Any, **options: Any) -> None:
        window = parse_age(options["since"], flag="--since")
        metrics = metrics_snapshot(window=window)
        if options["json"]:
            self.stdout.write(json.dumps(metrics.as_dict(), indent=2))
            return
        self.stdout.write("\n".join(render(metrics, options["since"].strip())))
