"""`innkeeper cache clear`: empty the application cache (only its own keys in Redis)."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from redis.exceptions import RedisError

from innkeeper.core.audit import audit_log
from innkeeper.ops.cache import cache_clear


class Command(BaseCommand):
    help = "Cache: `clear` deletes every cached entry (rate-limit counters are kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("clear", help="delete the cache's keys")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = cache_clear()
        except RedisError as error:
            raise CommandError(
                f"Redis is unreachable ({type(error).__name__}); the cache is serving misses "
                "until it is back, so there is nothing stale to clear."
            ) from error
        audit_log("cache.cleared", actor_label=getpass.getuser(), source="cli", details={})
        self.stdout.write(f"Cache: {done}.")
