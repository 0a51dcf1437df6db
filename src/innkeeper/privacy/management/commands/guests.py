"""`innkeeper guests export|erase|retention`: one guest's data, the right to be forgotten,
and the retention sweep on demand."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from innkeeper.ops.cliutil import operator_name, run_service
from innkeeper.privacy.selectors import Guest, guest_export, guest_find
from innkeeper.privacy.services import KEPT_RECORDS, guest_erase, guests_retention_sweep


class Command(BaseCommand):
    help = "Guest data (GDPR): export one guest's data, erase (anonymise) a guest, retention."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="print everything recorded about EMAIL as JSON")
        export.add_argument("email")
        erase = sub.add_parser("erase", help="anonymise EMAIL (retype it with --confirm)")
        erase.add_argument("email")
        erase.add_argument("--confirm", default="", help="the same email, retyped")
        sub.add_parser(
            "retention", help="anonymise guests past GUEST_RETENTION_DAYS now (as the scheduler)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "retention":
            self._retention()
            return
        guest = self._guest(options["email"])
        if action == "export":
            self.stdout.write(json.dumps(guest_export(guest), cls=DjangoJSONEncoder, indent=2))
        else:
            self._erase(guest, typed=options["confirm"])

    @staticmethod
    def _guest(email: str) -> Guest:
        guest = guest_find(email=email)
        if guest is None:
            raise CommandError(f"No guest with email {email!r}: no account and no bookings.")
        return guest

    def _erase(self, guest: Guest, *, typed: str) -> None:
        if typed.strip().lower() != guest.email:
            raise CommandError(
                f"Refusing to erase: retype the email with --confirm {guest.email} (got {typed!r})."
            )
        erased = run_service(
            lambda: guest_erase(guest=guest, actor_label=operator_name(), source="cli")
        )
        self.stdout.write(
            self.style.SUCCESS(f"Erased guest {guest.email}: now {erased.pseudonym}.")
        )
        self.stdout.write(
            f"Anonymised {erased.bookings} booking(s) and {erased.emails} email record(s); "
            f"revoked {erased.tokens} API token(s) and {erased.sessions} session(s); "
            "account deactivated."
        )
        self.stdout.write(KEPT_RECORDS)

    def _retention(self) -> None:
        report = guests_retention_sweep()
        self.stdout.write(
            f"Anonymised {report.erased} guest(s) whose last stay ended more than "
            f"{settings.GUEST_RETENTION_DAYS} days ago; skipped {report.skipped}. "
            f"{' '.join(report.pseudonyms)}".rstrip()
        )
