"""`innkeeper health check [--detailed] [--json]`: exit 0 healthy, 1 degraded, 2 unhealthy."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from innkeeper.ops.health import EXIT_CODES, run_checks


def _summary(details: dict[str, Any]) -> str:
    shown = {key: value for key, value in details.items() if key != "duration_ms"}
    return ", ".join(f"{key}={value}" for key, value in shown.items())


class Command(BaseCommand):
    help = "Run the health checks (as /api/health/ready, or /full with --detailed)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        check = actions.add_parser("check", help="run the checks; exit 0 ok, 1 degraded, 2 down")
        check.add_argument("--detailed", action="store_true", help="the full report")
        check.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args: Any, **options: Any) -> None:
        report = run_checks(full=options["detailed"])
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2, default=str))
        else:
            self.stdout.write(f"status: {report['status']}   mode: {report['mode']}")
            for name, status in report["checks"].items():
                details = report["details"][name]
                line = f"  {name:<12} {status:<15} {details['duration_ms']:>8.1f} ms"
                extra = _summary(details) if options["detailed"] else ""
                self.stdout.write(f"{line}  {extra}".rstrip())
        self.stdout.flush()
        sys.exit(EXIT_CODES.get(report["status"], 2))
