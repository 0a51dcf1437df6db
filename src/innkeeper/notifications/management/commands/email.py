"""`innkeeper email check`: show where mail goes (never the password) and try to connect."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import mailers
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Outgoing email: `check` shows the configuration and opens a connection (exit 1 if not)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("check", help="show the mail configuration and test the connection")

    def handle(self, *args: Any, **options: Any) -> None:
        config = settings.MAILERS["default"]
        shown = {k: v for k, v in config.get("OPTIONS", {}).items() if k != "password"}
        self.stdout.write(f"backend: {config['BACKEND']}")
        for key, value in shown.items():
            self.stdout.write(f"  {key}: {value}")
        self.stdout.write(f"from: {settings.DEFAULT_FROM_EMAIL}")
        connection = mailers.default
        try:
            connection.open()
        except Exception as error:
            raise CommandError(
                f"cannot connect to the mail server: {type(error).__name__}: {error}"
            ) from error
        connection.close()
        self.stdout.write(self.style.SUCCESS("Connection opened: mail can be sent."))
