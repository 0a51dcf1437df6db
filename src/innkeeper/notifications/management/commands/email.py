"""`innkeeper email check`: show where mail goes (never the password) and try to connect.
`innkeeper email resend REFERENCE`: queue a fresh copy of a booking's email with its link.

Exit codes: 0 done; 1 refused (cannot connect, unknown booking, nothing to resend);
2 bad usage (no public address for the link)."""

from __future__ import annotations

import getpass
from typing import Any

from django.conf import settings
from django.core.mail import mailers
from django.core.management.base import BaseCommand, CommandError, CommandParser

from innkeeper.core.errors import ApplicationError
from innkeeper.notifications.services import booking_email_resend


class Command(BaseCommand):
    help = "Outgoing email: `check` the mail server, `resend` a booking's email with its link."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("check", help="show the mail configuration and test the connection")
        resend = sub.add_parser(
            "resend", help="queue a fresh copy of a booking's email (with a new manage link)"
        )
        resend.add_argument("reference", help="booking reference, e.g. IK-7K2M9QXA")
        resend.add_argument(
            "--site-url", default="", help="public address for the link (default: SITE_URL)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "resend":
            self._resend(options["reference"], options["site_url"] or settings.SITE_URL)
            return
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

    def _resend(self, reference: str, site_url: str) -> None:
        if not site_url:
            raise CommandError(
                "No public address for the link: set SITE_URL or pass --site-url "
                "https://your.site.",
                returncode=2,
            )
        try:
            kind = booking_email_resend(
                reference=reference, site_url=site_url, actor_label=getpass.getuser()
            )
        except ApplicationError as error:
            raise CommandError(error.detail) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Queued {kind} for {reference.upper()}: a worker sends it (`innkeeper queue "
                "status` shows it waiting; `innkeeper queue failed` if it cannot be sent)."
            )
        )
