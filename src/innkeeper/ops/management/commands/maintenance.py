"""`innkeeper maintenance down|up|status|read-only on|off`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from innkeeper.ops.cliutil import operator_name, run_service
from innkeeper.ops.maintenance import (
    maintenance_disable,
    maintenance_enable,
    read_only_set,
    site_mode_row,
)


class Command(BaseCommand):
    help = "Maintenance mode (site down, 503) and read-only mode (writes refused), all processes."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        down = actions.add_parser("down", help="put the site in maintenance mode")
        down.add_argument("--secret", default="", help="visiting /<SECRET> sets a bypass cookie")
        down.add_argument("--message", default="", help="shown to visitors and API clients")
        down.add_argument("--retry", type=int, default=60, help="Retry-After seconds")
        down.add_argument("--refresh", type=int, default=None, help="page auto-refresh seconds")
        actions.add_parser("up", help="leave maintenance mode")
        actions.add_parser("status", help="show the current mode")
        read_only = actions.add_parser("read-only", help="freeze (on) or allow (off) writes")
        read_only.add_argument("switch", choices=["on", "off"])

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        actor = operator_name()
        if action == "down":
            run_service(
                lambda: maintenance_enable(
                    actor=actor,
                    secret=options["secret"],
                    message=options["message"],
                    retry_after=options["retry"],
                    refresh=options["refresh"],
                )
            )
            self.stdout.write("Maintenance mode ON: visitors get 503 within a second.")
            if options["secret"]:
                self.stdout.write(f"Bypass: open /{options['secret']} once to get the cookie.")
        elif action == "up":
            maintenance_disable(actor=actor)
            self.stdout.write("Maintenance mode OFF: the site is live.")
        elif action == "read-only":
            enabled = options["switch"] == "on"
            read_only_set(enabled=enabled, actor=actor)
            self.stdout.write(
                "Read-only mode ON: writes get 503 read_only; reads keep working."
                if enabled
                else "Read-only mode OFF: writes are accepted again."
            )
        elif action == "status":
            self._status()
        else:  # pragma: no cover - argparse restricts the choices
            raise CommandError(f"unknown action {action}")

    def _status(self) -> None:
        row = site_mode_row()
        self.stdout.write(f"maintenance: {'on' if row.maintenance else 'off'}")
        self.stdout.write(f"read-only:   {'on' if row.read_only else 'off'}")
        if row.maintenance:
            self.stdout.write(f"message:     {row.message or '(default)'}")
            self.stdout.write(f"retry-after: {row.retry_after}s")
            self.stdout.write(f"refresh:     {row.refresh or '-'}")
            self.stdout.write(f"bypass:      {'secret set' if row.secret_hash else 'none'}")
        if row.changed_at:
            self.stdout.write(
                f"changed:     {row.changed_at:%Y-%m-%d %H:%M:%S %Z} by {row.changed_by}"
            )
