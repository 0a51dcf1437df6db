"""`innkeeper security block-ip|unblock-ip|blocked|revoke-sessions`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from innkeeper.ops.blocklist import blocked_networks, ip_block, ip_unblock
from innkeeper.ops.cliutil import operator_name, run_service
from innkeeper.ops.sessions import sessions_revoke


class Command(BaseCommand):
    help = "Block offending IP addresses or ranges (403 in every process within a second)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        block = actions.add_parser("block-ip", help="block an address or CIDR range")
        block.add_argument("network", help="e.g. 203.0.113.7 or 203.0.113.0/24")
        block.add_argument("--reason", default="")
        unblock = actions.add_parser("unblock-ip", help="lift a block")
        unblock.add_argument("network")
        actions.add_parser("blocked", help="list blocked addresses and ranges")
        revoke = actions.add_parser(
            "revoke-sessions", help="sign out one user or everyone (API tokens and sessions)"
        )
        who = revoke.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", metavar="EMAIL", help="only this user")
        who.add_argument("--all", action="store_true", help="every user, staff included")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "block-ip":
            entry = run_service(
                lambda: ip_block(
                    network=options["network"], reason=options["reason"], actor=operator_name()
                )
            )
            self.stdout.write(f"Blocked {entry.network}.")
        elif action == "revoke-sessions":
            self._revoke(options)
        elif action == "unblock-ip":
            run_service(lambda: ip_unblock(network=options["network"], actor=operator_name()))
            self.stdout.write(f"Unblocked {options['network']}.")
        else:
            entries = blocked_networks()
            if not entries:
                self.stdout.write("No blocked addresses.")
            for entry in entries:
                self.stdout.write(
                    f"{entry.network:<43} {entry.created_at:%Y-%m-%d %H:%M} "
                    f"{entry.created_by}  {entry.reason}"
                )

    def _revoke(self, options: dict[str, Any]) -> None:
        if options["user"] is not None and not options["user"].strip():
            raise CommandError("--user needs an email address.", returncode=2)
        revoked = run_service(lambda: sessions_revoke(email=options["user"], actor=operator_name()))
        who = options["user"] or "every user"
        self.stdout.write(
            f"Signed out {who}: revoked {revoked.tokens} API token(s), "
            f"deleted {revoked.sessions} browser session(s)."
        )
