"""`innkeeper smoke --url URL`: login, search, book, pay, cancel against a running innkeeper."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from innkeeper.payments.smoke import SmokeFailure, SmokeRun


class Command(BaseCommand):
    help = (
        "Smoke test a running innkeeper: login, search, book, pay, cancel. Prints each step; "
        "exits 1 on the first failure. The user must be staff to pay at the desk."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", required=True, help="e.g. https://innkeeper.example.com")
        parser.add_argument("--email", default=os.environ.get("SMOKE_EMAIL", ""))
        parser.add_argument(
            "--password",
            default=os.environ.get("SMOKE_PASSWORD", ""),
            help="default: env SMOKE_PASSWORD (keeps it out of shell history)",
        )
        parser.add_argument(
            "--provider", choices=["pay_at_property", "stripe"], default="pay_at_property"
        )
        parser.add_argument("--days-ahead", type=int, default=60, help="arrival, days from now")
        parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["email"] or not options["password"]:
            raise CommandError("Give --email and --password (or SMOKE_EMAIL/SMOKE_PASSWORD).")
        run = SmokeRun(
            url=options["url"],
            email=options["email"],
            password=options["password"],
            provider=options["provider"],
            days_ahead=options["days_ahead"],
            timeout=options["timeout"],
            say=self._say,
        )
        try:
            run.run()
        except SmokeFailure as error:
            raise CommandError(f"smoke test failed: {error}") from error
        self.stdout.write("smoke test passed")

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
