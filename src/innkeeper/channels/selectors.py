"""Reads for the calendar export: which export a token opens, and what its feed holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import DateTimeField, F, Field, Func, IntegerField, QuerySet, Subquery

from innkeeper.bookings.models import ACTIVE_STATUSES, Booking, RoomBlock
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


def _scalar(rows: QuerySet[Any], function: str, field: str, output: Field[Any, Any]) -> Subquery:
    """`(SELECT MAX(field) FROM rows)`: a whole-table aggregate as a scalar subquery."""
    value = Func(F(field), function=function, output_field=output)
    return Subquery(rows.order_by().values(v=value)[:1], output_field=output)


def feed_version(export: CalendarExport) -> tuple[str, datetime]:
    """A validator (ETag seed, Last-Modified) from one aggregate query (two for a room type),
    without building the feed: any booking change (cancellations too) moves `updated_at` or
    the count; a room of the type switched on or off moves its own `updated_at`."""
    rooms = _rooms_of(export)
    active = ",".join(str(pk) for pk, _, is_active in rooms if is_active)
    room_ids = [pk for pk, _, _ in rooms]
    # Imported blocks are exported too (other channels must not sell those nights): one
    # statement reads both tables' counts and latest changes (a deletion lowers a count).
    bookings = Booking.objects.filter(room_id__in=room_ids)
    blocks = RoomBlock.objects.filter(room_id__in=room_ids)
    stats = (
        CalendarExport.objects.filter(pk=export.pk)
        .values(
            booking_latest=_scalar(bookings, "MAX", "updated_at", DateTimeField()),
            booking_count=_scalar(bookings, "COUNT", "pk", IntegerField()),
            block_latest=_scalar(blocks, "MAX", "updated_at", DateTimeField()),
            block_count=_scalar(blocks, "COUNT", "pk", IntegerField()),
        )
        .get()
    )
    stamps = [stats["booking_latest"], stats["block_latest"], export.updated_at]
    latest: datetime = max(filter(None, [*stamps, *(stamp for _, stamp, _ in rooms)]))
    counts = f"{stats['booking_count']}:{stats['block_count']}"
    seed = f"{export.pk}:{export.updated_at.isoformat()}:{active}:{counts}:{latest}"
    return seed, latest


def room_busy_ranges(export: CalendarExport) -> list[BusyRange]:
    """One range per active booking of the room, and one per block (an imported channel
    event: the other channels must not sell those nights either)."""
    room_ids, bookings = _bookings_of(export)
    rows = (
        bookings.filter(status__in=ACTIVE_STATUSES)
        .order_by("check_in", "pk")
        .values_list("reference", "check_in", "check_out", "updated_at")
    )
    busy = [BusyRange(f"booking:{ref}", start, end, stamp) for ref, start, end, stamp in rows]
    blocks = RoomBlock.objects.filter(room_id__in=room_ids).values_list(
        "pk", "start", "end", "updated_at"
    )
    busy += [BusyRange(f"block:{pk}", start, end, stamp) for pk, start, end, stamp in blocks]
    return sorted(busy, key=lambda item: (item.start, item.key))


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
    blocks = RoomBlock.objects.filter(room_id__in=room_ids).values_list(
        "room_id", "start", "end", "updated_at"
    )
    for room_id, check_in, check_out, stamp in [*rows, *blocks]:
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
