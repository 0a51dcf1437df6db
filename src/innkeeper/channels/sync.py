"""Sync one imported feed: fetch (outside any transaction), parse, then in one transaction
with the room locked turn its events into blocks and conflicts.

- An event on free nights becomes a RoomBlock (the database refuses it over a booking).
- An event over an active booking is a ChannelConflict (the booking stays; the event's
  free nights are still blocked) until staff move or cancel one side; a later sync that
  finds the overlap gone resolves it.
- A failed fetch or a malformed feed changes nothing but the feed's error: the blocks of
  the last good fetch stay (dates are never freed because a channel was unreachable).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from innkeeper.bookings.models import ACTIVE_STATUSES, Booking, RoomBlock
from innkeeper.bookings.rules import property_today
from innkeeper.channels.fetch import Fetched, FetchError, fetch_feed
from innkeeper.channels.ical_import import FeedInvalid, ImportedEvent, Window, parse_feed
from innkeeper.channels.models import CalendarFeed, ChannelConflict, ConflictStatus, FeedEvent
from innkeeper.core.audit import audit_log
from innkeeper.core.db import atomic_with_retry
from innkeeper.core.errors import NotFound
from innkeeper.rooms.models import Room

logger = logging.getLogger("innkeeper.channels")

OnConflict = Callable[[ChannelConflict], None]
Span = tuple[date, date]


@dataclass
class SyncResult:
    feed_id: int
    ok: bool
    changed: bool = False  # False: the feed answered 304 Not Modified
    events: int = 0
    blocks: int = 0
    opened: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    error_code: str = ""
    error: str = ""


def _window(feed: CalendarFeed) -> Window:
    prop = feed.room.property
    today = property_today(prop)
    return Window(
        zone=prop.zone,
        check_out_time=prop.check_out_time,
        first=today,
        last=today + timedelta(days=settings.CHANNEL_IMPORT_DAYS),
        max_events=settings.CHANNEL_MAX_EVENTS,
    )


def feed_sync(*, feed_id: int, on_conflict: OnConflict | None = None) -> SyncResult:
    feed = CalendarFeed.objects.select_related("room__property").filter(pk=feed_id).first()
    if feed is None:
        raise NotFound(f"No calendar feed with id {feed_id}.", code="calendar_feed_not_found")
    started = timezone.now()
    # Validators only while the events they describe are stored (they are, after a success).
    known = feed.last_success_at is not None
    try:
        fetched = fetch_feed(
            feed.url,
            etag=feed.etag if known else "",
            last_modified=feed.last_modified if known else "",
        )
        events = None if fetched.not_modified else parse_feed(fetched.body, _window(feed))
    except (FetchError, FeedInvalid) as error:
        return _failed(feed, error.code, error.message, started)
    return atomic_with_retry(lambda: _apply(feed.pk, fetched, events, started, on_conflict))


def _failed(feed: CalendarFeed, code: str, message: str, when: datetime) -> SyncResult:
    logger.warning("calendar feed %s (%s) failed: %s %s", feed.pk, feed.channel, code, message)
    CalendarFeed.objects.filter(pk=feed.pk).update(
        last_attempt_at=when, last_error_at=when, last_error_code=code, last_error=message[:500]
    )
    return SyncResult(feed.pk, ok=False, error_code=code, error=message)


def _apply(
    feed_id: int,
    fetched: Fetched,
    events: list[ImportedEvent] | None,
    when: datetime,
    on_conflict: OnConflict | None,
) -> SyncResult:
    # The room lock serializes this with booking_create (which takes it too).
    room = Room.objects.select_for_update(of=("self",)).get(calendar_feeds__pk=feed_id)
    feed = CalendarFeed.objects.select_for_update().get(pk=feed_id)
    if events is not None:
        _store_events(feed, events)
    result = reconcile(feed, room, on_conflict=on_conflict)
    result.changed = events is not None
    feed.last_attempt_at = feed.last_success_at = when
    if not fetched.not_modified:
        feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
    feed.events, feed.blocks = result.events, result.blocks
    feed.save()
    return result


def _store_events(feed: CalendarFeed, events: list[ImportedEvent]) -> None:
    unique = {event.key: event for event in events}
    feed.feed_events.all().delete()
    FeedEvent.objects.bulk_create(
        FeedEvent(feed=feed, key=e.key[:300], start=e.start, end=e.end, summary=e.summary)
        for e in unique.values()
    )


def free_parts(start: date, end: date, taken: list[Span]) -> list[Span]:
    """[start, end) minus the taken spans, as sorted spans."""
    parts, cursor = [], start
    for busy_start, busy_end in sorted(taken):
        if busy_start > cursor:
            parts.append((cursor, min(busy_start, end)))
        cursor = max(cursor, busy_end)
        if cursor >= end:
            break
    if cursor < end:
        parts.append((cursor, end))
    return [(a, b) for a, b in parts if b > a]


def reconcile(
    feed: CalendarFeed, room: Room, *, on_conflict: OnConflict | None = None
) -> SyncResult:
    """Make the feed's blocks and open conflicts match its stored events and the room's
    active bookings now. Call with the room row locked, inside a transaction."""
    events = list(feed.feed_events.all())
    active = Booking.objects.filter(room=room, status__in=ACTIVE_STATUSES)
    if events:  # only the stays that can meet an event
        first, last = min(e.start for e in events), max(e.end for e in events)
        active = active.filter(check_in__lt=last, check_out__gt=first)
    bookings = list(active.values_list("pk", "check_in", "check_out"))
    wanted_blocks: dict[tuple[str, date, date], str] = {}
    wanted_conflicts: dict[tuple[str, int], FeedEvent] = {}
    for event in events:
        clashing = [(pk, a, b) for pk, a, b in bookings if a < event.end and event.start < b]
        for pk, _, _ in clashing:
            wanted_conflicts[(event.key, pk)] = event
        for a, b in free_parts(event.start, event.end, [(a, b) for _, a, b in clashing]):
            wanted_blocks[(event.key, a, b)] = event.summary
    _replace_blocks(feed, room, wanted_blocks)
    result = SyncResult(feed.pk, ok=True, events=len(events), blocks=len(wanted_blocks))
    _reconcile_conflicts(feed, room, wanted_conflicts, result, on_conflict)
    return result


def _replace_blocks(
    feed: CalendarFeed, room: Room, wanted: dict[tuple[str, date, date], str]
) -> None:
    existing = {
        (block.external_uid, block.start, block.end): block
        for block in RoomBlock.objects.filter(origin=feed.origin)
    }
    stale = [block.pk for key, block in existing.items() if key not in wanted]
    RoomBlock.objects.filter(pk__in=stale).delete()
    for key, summary in wanted.items():
        block = existing.get(key)
        if block is not None and (block.summary != summary or block.source != feed.channel):
            block.summary, block.source = summary, feed.channel
            block.save(update_fields=["summary", "source", "updated_at"])
    RoomBlock.objects.bulk_create(
        RoomBlock(
            room=room,
            start=start,
            end=end,
            origin=feed.origin,
            source=feed.channel,
            external_uid=uid[:300],
            summary=summary,
        )
        for (uid, start, end), summary in wanted.items()
        if (uid, start, end) not in existing
    )


def _reconcile_conflicts(
    feed: CalendarFeed,
    room: Room,
    wanted: dict[tuple[str, int], FeedEvent],
    result: SyncResult,
    on_conflict: OnConflict | None,
) -> None:
    now = timezone.now()
    open_ones = {
        (c.event_key, c.booking_id): c
        for c in ChannelConflict.objects.filter(feed=feed, status=ConflictStatus.OPEN)
    }
    for key, conflict in open_ones.items():
        if key in wanted:
            event = wanted[key]
            if (conflict.start, conflict.end) != (event.start, event.end):
                conflict.start, conflict.end = event.start, event.end
                conflict.save(update_fields=["start", "end", "updated_at"])
            continue
        conflict.status, conflict.resolved_at = ConflictStatus.RESOLVED, now
        conflict.resolution = "the overlap is gone (event or booking moved or cancelled)"
        conflict.save(update_fields=["status", "resolved_at", "resolution", "updated_at"])
        audit_log("channels.conflict_resolved", target=f"conflict:{conflict.pk}", source="sync")
        result.resolved.append(conflict.pk)
    for (event_key, booking_id), event in wanted.items():
        if (event_key, booking_id) in open_ones:
            continue
        conflict = ChannelConflict.objects.create(
            feed=feed,
            room=room,
            booking_id=booking_id,
            event_key=event_key,
            start=event.start,
            end=event.end,
            summary=event.summary,
        )
        audit_log(
            "channels.conflict_opened",
            target=f"conflict:{conflict.pk}",
            source="sync",
            details={"feed": feed.pk, "booking_id": booking_id, "event": event_key[:100]},
        )
        result.opened.append(conflict.pk)
        if on_conflict is not None:
            on_conflict(conflict)
