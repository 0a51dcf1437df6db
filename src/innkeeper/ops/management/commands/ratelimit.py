"""`innkeeper ratelimit status|clear`: see and reset rate-limit counters and login lockouts."""

from __future__ import annotations

import getpass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from redis.exceptions import RedisError

from innkeeper.core.errors import ApplicationError
from innkeeper.ops.ratelimit.limiter import get_limiter
from innkeeper.ops.ratelimit.operator import (
    Target,
    ratelimit_clear,
    ratelimit_status,
    resolve_target,
)
from innkeeper.ops.ratelimit.scopes import SCOPES


class Command(BaseCommand):
    help = "Rate limits: `status` shows limits and counters, `clear` resets a user's or an IP's."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help="limits in force; with --user/--ip, the counters")
        clear = sub.add_parser("clear", help="reset counters (and login lockout) of a user or IP")
        for action in (status, clear):
            who = action.add_mutually_exclusive_group(required=action is clear)
            who.add_argument("--user", help="user id or email (also clears its login lockout)")
            who.add_argument("--ip", help="client IP address")
        clear.add_argument("--scope", choices=list(SCOPES), help="only this scope")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "clear":
                self._clear(options)
            else:
                self._status(options)
        except ApplicationError as error:
            raise CommandError(error.detail) from error

    def _require_redis(self) -> None:
        if not settings.REDIS_URL:
            raise CommandError(
                "REDIS_URL is not set: counters live in each server process's memory and only "
                "a restart of `innkeeper serve` resets them."
            )
        try:
            get_limiter().redis.get_connection().ping()  # type: ignore[union-attr]
        except RedisError as error:
            raise CommandError(
                f"Redis is unreachable ({type(error).__name__}): servers are counting in their "
                "own memory (fallback) until it is back; restart them to reset those counters."
            ) from error

    def _clear(self, options: dict[str, Any]) -> None:
        self._require_redis()
        target = resolve_target(user=options["user"], ip=options["ip"], scope=options["scope"])
        removed = ratelimit_clear(
            target=target, scope=options["scope"], actor_label=getpass.getuser()
        )
        scope = options["scope"] or "all scopes"
        self.stdout.write(f"Cleared {removed} counter(s) for {target.label} ({scope}).")

    def _status(self, options: dict[str, Any]) -> None:
        enabled = "on" if settings.RATE_LIMITS_ENABLED else "OFF (RATE_LIMITS_ENABLED=false)"
        storage = f"redis ({settings.REDIS_URL})" if settings.REDIS_URL else "process memory"
        self.stdout.write(f"rate limits: {enabled}; counted in {storage}")
        if not (options["user"] or options["ip"]):
            for name, scope in SCOPES.items():
                limit = settings.RATE_LIMITS[name]
                self.stdout.write(f"  {name:<18} {limit:<12} {scope.meaning}")
            return
        self._require_redis()
        target = resolve_target(user=options["user"], ip=options["ip"], scope=None)
        self._counters(target)

    def _counters(self, target: Target) -> None:
        self.stdout.write(f"counters for {target.label}:")
        for row in ratelimit_status(target=target):
            blocked = "  BLOCKED" if row.remaining == 0 else ""
            self.stdout.write(
                f"  {row.scope:<18} used {row.used} of {row.limit}, resets in {row.reset_in} s"
                f"{blocked}"
            )
