"""`innkeeper bookings verify|expire|change`: integrity scan, pending-hold expiry, and a
booking change or room move from the shell."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from innkeeper.bookings.block_integrity import block_guard_installed
from innkeeper.bookings.integrity import guard_installed
from innkeeper.bookings.management.commands._change import add_change_parser, run_change
from innkeeper.bookings.selectors import overlap_report
from innkeeper.flows.pay_online import expire_holds


class Command(BaseCommand):
    help = (
        "Bookings: `verify` scans for double bookings, `expire` ends stale holds, `change` "
        "changes or moves a booking."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="exit 1 and list pairs if any active bookings overlap"
        )
        verify.add_argument("--json", action="store_true", help="machine-readable output")
        sub.add_parser("expire", help="expire pending bookings whose hold has run out")
        add_change_parser(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "change":
            self.stdout.write(run_change(options)[0])
            return
        if options["action"] == "expire":
            expired = expire_holds()  # closes open online checkouts first
            self.stdout.write(f"Expired {len(expired)} pending booking(s). {' '.join(expired)}")
            return
        self._verify(as_json=options["json"])

    def _verify(self, *, as_json: bool) -> None:
        pairs = overlap_report()
        # Both guards: bookings against bookings, and bookings against channel blocks.
        guard = guard_installed(connection) and block_guard_installed(connection)
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "overlaps": [
                            {
                                "room": a.room.number,
                                "first": a.reference,
                                "second": b.reference,
                                "first_stay": [str(a.check_in), str(a.check_out)],
                                "second_stay": [str(b.check_in), str(b.check_out)],
                            }
                            for a, b in pairs
                        ],
                        "database_guard_installed": guard,
                    }
                )
            )
        else:
            for a, b in pairs:
                self.stdout.write(
                    f"OVERLAP room {a.room.number}: {a.reference} {a.check_in}..{a.check_out} "
                    f"({a.status}) and {b.reference} {b.check_in}..{b.check_out} ({b.status})"
                )
            if not guard:
                self.stdout.write("The database overlap guard is MISSING: run `innkeeper migrate`.")
        if pairs or not guard:
            raise CommandError(f"{len(pairs)} overlapping booking pair(s) found.", returncode=1)
        if not as_json:
            self.stdout.write(self.style.SUCCESS("OK: no overlapping active bookings."))
