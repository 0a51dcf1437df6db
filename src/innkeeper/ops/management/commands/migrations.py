"""`innkeeper migrations status [--json]`: applied and pending migrations per app (the runbooks'
migrate:status); exit 1 when any are pending. Roll back with `innkeeper migrate <app> <name>`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.loader import MigrationLoader


def migration_report() -> dict[str, dict[str, list[str]]]:
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    report: dict[str, dict[str, list[str]]] = {}
    for app, name in sorted(loader.graph.nodes):
        entry = report.setdefault(app, {"applied": [], "pending": []})
        entry["applied" if (app, name) in loader.applied_migrations else "pending"].append(name)
    return report


class Command(BaseCommand):
    help = "Show applied/pending migrations per app; exit 1 when any are pending."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        status = actions.add_parser("status", help="applied/pending per app")
        status.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        report = migration_report()
        pending = sum(len(entry["pending"]) for entry in report.values())
        if options["json"]:
            self.stdout.write(json.dumps({"pending": pending, "apps": report}, indent=2))
        else:
            for app, entry in report.items():
                latest = entry["applied"][-1] if entry["applied"] else "(none)"
                waiting = f"  PENDING: {', '.join(entry['pending'])}" if entry["pending"] else ""
                self.stdout.write(
                    f"{app:<16} {len(entry['applied']):>3} applied, latest {latest}{waiting}"
                )
        self.stdout.flush()
        if pending:
            raise CommandError(
                f"{pending} migration(s) pending: run `innkeeper migrate`.", returncode=1
            )
        if not options["json"]:
            self.stdout.write(self.style.SUCCESS("OK: no pending migrations."))
