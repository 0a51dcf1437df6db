"""`innkeeper report occupancy|revenue --from YYYY-MM-DD --to YYYY-MM-DD [--json|--csv]`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from innkeeper.reports.export import to_csv, to_json, to_table
from innkeeper.reports.ranges import BadRange, parse_range
from innkeeper.reports.selectors import manager_report
from innkeeper.reports.sources import Property


class Command(BaseCommand):
    help = "Occupancy (per night, per room type) or revenue figures for [--from, --to)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["occupancy", "revenue"])
        parser.add_argument("--from", dest="start", required=True, help="first night, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="end date (excluded)")
        parser.add_argument("--property", type=int, help="property id (default: the only one)")
        output = parser.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true", help="machine-readable JSON")
        output.add_argument("--csv", action="store_true", help="CSV safe for spreadsheets")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start, end = parse_range(options["start"], options["end"])
        except BadRange as error:
            raise CommandError(str(error), returncode=2) from error
        prop = _property(options["property"])
        report = manager_report(prop=prop, start=start, end=end)
        if options["json"]:
            self.stdout.write(json.dumps(to_json(report), indent=2))
        elif options["csv"]:
            self.stdout.write(to_csv(report, options["kind"]), ending="")
        else:
            self.stdout.write(to_table(report, options["kind"]), ending="")


def _property(pk: int | None) -> Property:
    if pk is not None:
        found = Property.objects.filter(pk=pk).first()
        if found is None:
            raise CommandError(f"No property with id {pk}.", returncode=2)
        return found
    properties = list(Property.objects.order_by("pk")[:2])
    if len(properties) != 1:
        names = "none yet" if not properties else "several: pass --property ID"
        raise CommandError(f"Which property? There are {names}.", returncode=2)
    return properties[0]
