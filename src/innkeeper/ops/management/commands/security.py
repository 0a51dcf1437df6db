"""`innkeeper security block-ip|unblock-ip|blocked`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from innkeeper.ops.blocklist import blocked_networks, ip_block, ip_unblock
from innkeeper.ops.cliutil import operator_name, run_service


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

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "block-ip":
            entry = run_service(
                lambda: ip_block(
                    network=options["network"], reason=options["reason"], actor=operator_name()
                )
            )
            self.stdout.write(f"Blocked {entry.network}.")
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
