"""Reads for the calendar export: which export a token opens, and what its feed holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, QuerySet

from innkeeper.bookings.models import ACTIVE_STATUSES, Booking
from innkeeper.channels.models import CalendarExport
from innkeeper.channels.tokens import looks_like_token, token_digest
from innkeeper.rooms.models import Room


@dataclass(frozen=True)
class BusyRange:
    """Dates [start, end) a channel must not sell; `key` makes a stable UID."""

    key: str
    start: date
    end: date
    stamp: datetime


def export_by_token(token: str) -> CalendarExport | None:
    if not looks_like_token(token):
        return None
    return (
        CalendarExport.objects.select_related("room__property", "room_type__property")
        .filter(token_hash=token_digest(token))
        .first()
    )


def _rooms_of(export: CalendarExport) -> list[tuple[int, datetime, bool]]:
    """(id, updated_at, is_active) of the export's room, or of every room of its room type."""
    if export.room_id is not None:
        return [(export.room_id, export.updated_at, True)]
    rooms = Room.objects.filter(room_type_id=export.room_type_id).order_by("pk")
    return list(rooms.values_list("pk", "updated_at", "is_active"))


def _bookings_of(export: CalendarExport) -> tuple[list[int], QuerySet[Booking]]:
    room_ids = [pk for pk, _, active in _rooms_of(export) if active]
    return room_ids, Booking.objects.filter(room_id__in=room_ids)


def feed_version(export: CalendarExport) -> tuple[str, datetime]:
    """A validator (ETag seed, Last-Modified) from one aggregate query (two for a room type),
    without building the feed: any booking change (cancellations too) moves `updated_at` or
    the count; a room of the type switched on or off moves its own `updated_at`."""
    rooms = _rooms_of(export)
    active = ",".join(str(pk) for pk, _, is_active in rooms if is_active)
    stats = Booking.objects.filter(room_id__in=[pk for pk, _, _ in rooms]).aggregate(
        latest=Max("updated_at"), count=Count("pk")
    )
    stamps = [stats["latest"], export.updated_at, *(stamp for _, stamp, _ in rooms)]
    latest: datetime = max(filter(None, stamps))
    seed = f"{export.pk}:{export.updated_at.isoformat()}:{active}:{stats['count']}:{latest}"
    return seed, latest


def room_busy_ranges(export: CalendarExport) -> list[BusyRange]:
    """One range per active booking of the room."""
    _, bookings = _bookings_of(export)
    rows = (
        bookings.filter(status__in=ACTIVE_STATUSES)
        .order_by("check_in", "pk")
        .values_list("reference", "check_in", "check_out", "updated_at")
    )
    return [BusyRange(f"booking:{ref}", start, end, stamp) for ref, start, end, stamp in rows]


def room_type_busy_ranges(export: CalendarExport) -> list[BusyRange]:
    """Dates on which every active room of the type is taken, merged into ranges: a channel
    that sells the type as one listing may still sell it while one room is free."""
    room_ids, bookings = _bookings_of(export)
    if not room_ids:
        return []
    taken: dict[date, set[int]] = {}
    stamps: dict[date, datetime] = {}
    rows = bookings.filter(status__in=ACTIVE_STATUSES).values_list(
        "room_id", "check_in", "check_out", "updated_at"
    )
    for room_id, check_in, check_out, stamp in rows:
        night = check_in
        while night < check_out:
            taken.setdefault(night, set()).add(room_id)
            stamps[night] = max(stamp, stamps.get(night, stamp))
            night += timedelta(days=1)
    full = sorted(night for night, rooms in taken.items() if len(rooms) >= len(room_ids))
    return _merge(full, stamps, export.room_type_id)


def _merge(
    nights: list[date], stamps: dict[date, datetime], type_id: int | None
) -> list[BusyRange]:
    ranges: list[BusyRange] = []
    for night in nights:
        last = ranges[-1] if ranges else None
        if last is not None and last.end == night:
            stamp = max(last.stamp, stamps[night])
            ranges[-1] = BusyRange(last.key, last.start, night + timedelta(days=1), stamp)
        else:
            key = f"room_type:{type_id}:{night.isoformat()}"
            ranges.append(BusyRange(key, night, night + timedelta(days=1), stamps[night]))
    return ranges


def busy_ranges(export: CalendarExport) -> list[BusyRange]:
    if export.room_id is not None:
        return room_busy_ranges(export)
    return room_type_busy_ranges(export)
