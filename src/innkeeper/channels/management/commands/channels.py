"""`innkeeper channels export-url ROOM_ID [--rotate]` (or `--room-type ID`): issue the secret
iCal export URL to paste into Airbnb, Booking.com, ...; `--rotate` replaces it.

Exit codes: 0 printed; 1 refused (unknown room, URL already issued without --rotate);
2 bad usage (no SITE_URL, neither or both of ROOM_ID and --room-type)."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from innkeeper.channels.services import calendar_export_issue, export_url
from innkeeper.core.errors import ApplicationError, InvalidInput


class Command(BaseCommand):
    help = "Booking channels: `export-url` prints (issues or rotates) a calendar export URL."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser(
            "export-url", help="issue (or --rotate) the iCal export URL of a room or room type"
        )
        export.add_argument("room_id", nargs="?", type=int, help="room id")
        export.add_argument("--room-type", type=int, help="room type id instead of a room")
        export.add_argument(
            "--rotate", action="store_true", help="issue a new URL; the old one stops working"
        )
        export.add_argument(
            "--site-url", default="", help="public address of the site (default: SITE_URL)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        room_id, room_type_id = options["room_id"], options["room_type"]
        if (room_id is None) == (room_type_id is None):
            raise CommandError("Give ROOM_ID or --room-type ID (one of them).", returncode=2)
        try:
            export_url("/", site_url=options["site_url"])  # fail before issuing a token
            issued = calendar_export_issue(
                room_id=room_id,
                room_type_id=room_type_id,
                rotate=options["rotate"],
                actor_label=getpass.getuser(),
            )
            url = export_url(issued.path, site_url=options["site_url"])
        except InvalidInput as error:
            raise CommandError(error.detail, returncode=2) from error
        except ApplicationError as error:
            raise CommandError(error.detail) from error
        self.stdout.write(url)
        what = "New URL (the old one no longer works)" if issued.rotated else "Export URL"
        self.stderr.write(
            f"{what} for {issued.export.subject}: paste it into each channel's calendar import. "
            "It is shown only now; keep it secret."
        )
