"""When backups and drills run: BACKUP_SCHEDULE / BACKUP_DRILL_SCHEDULE are wall-clock times
in the property's time zone, not "every 24 h from whenever the scheduler started".

A schedule is one or more entries separated by ";": a cron expression ("0 */4 * * *") or a
fixed time ("03:15", several as "03:15,15:15"). "off" (or "false") turns it off; "on" (or
"true", the old boolean) means the default."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime, timedelta

from croniter import croniter
from django.conf import settings

from innkeeper.core.errors import InvalidInput

DEFAULT_BACKUP = "0 */4 * * *"  # the runbooks' "database every 4 hours"
DEFAULT_DRILL = "30 4 * * *"  # daily, after the night's backups
OFF = {"", "off", "false", "no", "0", "none"}
ON = {"on", "true", "yes", "1"}
FIXED_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_schedule(raw: str, *, default: str, name: str = "BACKUP_SCHEDULE") -> list[str]:
    """Cron expressions for a schedule setting ([] when off); InvalidInput naming the entry."""
    text = raw.strip()
    if text.lower() in OFF:
        return []
    if text.lower() in ON:
        text = default
    expressions = []
    for entry in (part.strip() for part in text.split(";")):
        if not entry:
            continue
        times = [t.strip() for t in entry.split(",")]
        if all(FIXED_TIME.match(t) for t in times):
            expressions += [f"{int(t.split(':')[1])} {int(t.split(':')[0])} * * *" for t in times]
        elif croniter.is_valid(entry) and len(entry.split()) == 5:
            expressions.append(entry)
        else:
            raise InvalidInput(
                f"{name}: '{entry}' is neither a cron expression (like '0 */4 * * *') "
                "nor a time (like '03:15')."
            )
    return expressions


def schedule_zone() -> zoneinfo.ZoneInfo:
    """BACKUP_TIME_ZONE, else the (first) property's time zone, else UTC."""
    if settings.BACKUP_TIME_ZONE:
        return zoneinfo.ZoneInfo(settings.BACKUP_TIME_ZONE)
    from innkeeper.rooms.models import Property

    first = Property.objects.order_by("pk").values_list("time_zone", flat=True).first()
    return zoneinfo.ZoneInfo(first or "UTC")


def last_planned(expressions: list[str], now: datetime) -> datetime:
    """The latest planned time <= now over all expressions, computed in the schedule's zone
    (so "03:15" stays 03:15 local across daylight-saving changes)."""
    # A microsecond past now: croniter's get_prev is strict, a run planned exactly now is due.
    local = now.astimezone(schedule_zone()) + timedelta(microseconds=1)
    runs: list[datetime] = [croniter(expr, local).get_prev(datetime) for expr in expressions]
    return max(runs)


def next_planned(expressions: list[str], now: datetime) -> datetime:
    local = now.astimezone(schedule_zone())
    runs: list[datetime] = [croniter(expr, local).get_next(datetime) for expr in expressions]
    return min(runs)
