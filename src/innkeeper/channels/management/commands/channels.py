"""`innkeeper channels ...`: calendar sync with booking channels (README "Booking channels").

  export-url ROOM_ID [--rotate] | --room-type ID   issue the secret iCal export URL
  add ROOM_ID URL --channel NAME                   import a channel's calendar (prints its id)
  status [--json]                                  each imported feed's sync health
  sync [--feed ID]                                 fetch now (exit 1 when a feed failed)
  conflicts [--json]                               imported events over existing bookings
  remove FEED_ID --yes                             stop importing a feed, free its nights

Exit codes: 0 done; 1 refused or a feed failed; 2 bad usage."""

from __future__ import annotations

import getpass
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from innkeeper.channels.feed_selectors import conflict_as_dict, feed_health_list, open_conflicts
from innkeeper.channels.feeds import calendar_feed_add, calendar_feed_remove
from innkeeper.channels.services import calendar_export_issue, export_url
from innkeeper.core.errors import ApplicationError, InvalidInput
from innkeeper.flows.channel_sync import feeds_sync_then_alert


class Command(BaseCommand):
    help = "Booking channels: calendar export URLs, imported calendar feeds and conflicts."

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
        add = sub.add_parser("add", help="import a channel's calendar into a room")
        add.add_argument("room_id", type=int, help="room id")
        add.add_argument("url", help="the channel's iCal export URL (http or https)")
        add.add_argument("--channel", required=True, help="e.g. Airbnb, Booking.com")
        status = sub.add_parser("status", help="sync health of every imported feed")
        status.add_argument("--json", action="store_true")
        sync = sub.add_parser("sync", help="fetch feeds now (exit 1 when one failed)")
        sync.add_argument("--feed", type=int, help="only this feed id")
        conflicts = sub.add_parser("conflicts", help="open conflicts with existing bookings")
        conflicts.add_argument("--json", action="store_true")
        remove = sub.add_parser("remove", help="stop importing a feed; its blocked nights open")
        remove.add_argument("feed_id", type=int)
        remove.add_argument("--yes", action="store_true", help="confirm: the nights open at once")

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {
            "export-url": self.export_url,
            "add": self.add,
            "status": self.status,
            "sync": self.sync,
            "conflicts": self.conflicts,
            "remove": self.remove,
        }
        try:
            handlers[options["action"]](options)
        except InvalidInput as error:
            raise CommandError(error.detail, returncode=2) from error
        except ApplicationError as error:
            raise CommandError(error.detail) from error

    def export_url(self, options: dict[str, Any]) -> None:
        room_id, room_type_id = options["room_id"], options["room_type"]
        if (room_id is None) == (room_type_id is None):
            raise CommandError("Give ROOM_ID or --room-type ID (one of them).", returncode=2)
        export_url("/", site_url=options["site_url"])  # fail before issuing a token
        issued = calendar_export_issue(
            room_id=room_id,
            room_type_id=room_type_id,
            rotate=options["rotate"],
            actor_label=getpass.getuser(),
        )
        url = export_url(issued.path, site_url=options["site_url"])
        self.stdout.write(url)
        what = "New URL (the old one no longer works)" if issued.rotated else "Export URL"
        self.stderr.write(
            f"{what} for {issued.export.subject}: paste it into each channel's calendar import. "
            "It is shown only now; keep it secret."
        )

    def add(self, options: dict[str, Any]) -> None:
        feed = calendar_feed_add(
            room_id=options["room_id"],
            url=options["url"],
            channel=options["channel"],
            actor_label=getpass.getuser(),
        )
        self.stdout.write(str(feed.pk))
        self.stderr.write(
            f"Feed {feed.pk} ({feed.channel}) added to room {feed.room.number}; the scheduler "
            f"syncs it within a minute, or now: innkeeper channels sync --feed {feed.pk}"
        )

    def status(self, options: dict[str, Any]) -> None:
        feeds = feed_health_list()
        if options["json"]:
            self.stdout.write(json.dumps([item.as_dict() for item in feeds], indent=2))
            return
        if not feeds:
            self.stdout.write("No imported feeds (add one: innkeeper channels add).")
        for item in feeds:
            row = item.as_dict()
            state = "FAILING" if item.failing else "STALE" if item.stale else "ok"
            if not row["active"]:
                state = "inactive"
            self.stdout.write(
                f"feed {row['id']:<4} room {row['room']:<6} {row['channel']:<14} {state:<8} "
                f"last success {row['last_success_at'] or 'never'} "
                f"({row['age_seconds'] / 60:.0f} min ago), "
                f"{row['events']} events, {row['blocks']} blocks"
            )
            if item.failing:
                self.stdout.write(f"    last error: {row['last_error_code']}: {row['last_error']}")

    def sync(self, options: dict[str, Any]) -> None:
        results = feeds_sync_then_alert(feed_id=options["feed"])
        if not results:
            self.stdout.write("No active imported feeds (add one: innkeeper channels add).")
        for result in results:
            if result.ok:
                change = "updated" if result.changed else "not modified"
                self.stdout.write(
                    f"feed {result.feed_id}: ok ({change}), {result.events} events, "
                    f"{result.blocks} blocks, {len(result.opened)} new conflicts, "
                    f"{len(result.resolved)} resolved"
                )
            else:
                self.stdout.write(
                    f"feed {result.feed_id}: FAILED {result.error_code}: {result.error} "
                    "(its blocks from the last good sync stay)"
                )
        failed = [r.feed_id for r in results if not r.ok]
        if failed:
            raise CommandError(f"{len(failed)} feed(s) failed: {', '.join(map(str, failed))}.")

    def conflicts(self, options: dict[str, Any]) -> None:
        found = [conflict_as_dict(c) for c in open_conflicts()]
        if options["json"]:
            self.stdout.write(json.dumps(found, indent=2))
            return
        if not found:
            self.stdout.write("No open conflicts.")
        for c in found:
            event, booking = c["event"], c["booking"]
            self.stdout.write(
                f"conflict {c['id']}: room {c['room']} {c['channel']} "
                f"{event['start']}..{event['end']} ({event['summary'] or 'no title'}) over "
                f"booking {booking['reference']} {booking['check_in']}..{booking['check_out']} "
                f"({booking['status']})"
            )

    def remove(self, options: dict[str, Any]) -> None:
        if not options["yes"]:
            raise CommandError(
                "Removing a feed opens the nights it blocks for sale at once: "
                "add --yes to confirm.",
                returncode=2,
            )
        removed = calendar_feed_remove(feed_id=options["feed_id"], actor_label=getpass.getuser())
        self.stdout.write(f"Feed {options['feed_id']} removed; {removed} blocks freed.")
