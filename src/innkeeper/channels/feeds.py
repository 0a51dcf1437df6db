"""Writes about imported feeds: add one to a room, and claim the feeds due for a sync."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from innkeeper.bookings.models import RoomBlock
from innkeeper.channels.fetch import FetchError, feed_target
from innkeeper.channels.models import CalendarFeed
from innkeeper.core.audit import audit_log
from innkeeper.core.errors import Conflict, InvalidInput, NotFound
from innkeeper.rooms.models import Room

CHANNEL_MAX = 60


class FeedExists(Conflict):
    code, title = "calendar_feed_exists", "Feed already added"


def next_sync_at(now: datetime) -> datetime:
    """About CHANNEL_SYNC_MINUTES from now, jittered by up to a fifth either way, so feeds
    added together (and channels polled together) spread out over time."""
    minutes = settings.CHANNEL_SYNC_MINUTES
    return now + timedelta(minutes=minutes * random.uniform(0.8, 1.2))


def _clean(url: str, channel: str) -> tuple[str, str]:
    url, channel = url.strip(), " ".join(channel.split())
    if not channel or len(channel) > CHANNEL_MAX:
        raise InvalidInput(
            f"Give the channel's name (1 to {CHANNEL_MAX} characters), e.g. --channel Airbnb.",
            code="invalid_input",
            extra={"field": "channel"},
        )
    if len(url) > 2000:
        raise InvalidInput("The URL is too long.", code="invalid_input", extra={"field": "url"})
    try:
        feed_target(url)  # http(s) and a host; addresses are checked at every fetch
    except FetchError as error:
        raise InvalidInput(error.message, code=error.code, extra={"field": "url"}) from error
    return url, channel


def calendar_feed_add(
    *, room_id: int, url: str, channel: str, actor_label: str, source: str = "cli"
) -> CalendarFeed:
    """A new feed for the room, due for its first sync at once."""
    url, channel = _clean(url, channel)
    room = Room.objects.filter(pk=room_id).first()
    if room is None:
        raise NotFound(f"No room with id {room_id}.", code="room_not_found")
    try:
        with transaction.atomic():
            feed = CalendarFeed.objects.create(
                room=room, url=url, channel=channel, next_sync_at=timezone.now()
            )
            audit_log(
                "channels.feed_added",
                actor_label=actor_label,
                target=f"room:{room.pk}",
                source=source,
                details={"feed": feed.pk, "channel": channel},
            )
    except IntegrityError as error:
        raise FeedExists(f"Room {room.number} already imports this URL.") from error
    return feed


def feeds_claim_due(*, now: datetime | None = None) -> list[int]:
    """Ids of the active feeds whose turn has come, each moved to its next turn in the same
    UPDATE-per-row, so a second scheduler (or a slow worker) never claims one twice."""
    now = now or timezone.now()
    claimed = []
    turn_came = Q(next_sync_at__isnull=True) | Q(next_sync_at__lte=now)
    due = CalendarFeed.objects.filter(turn_came, is_active=True).values_list("pk", "next_sync_at")
    for pk, turn in list(due):
        won = CalendarFeed.objects.filter(pk=pk, next_sync_at=turn).update(
            next_sync_at=next_sync_at(now)
        )
        if won:
            claimed.append(pk)
    return claimed


def calendar_feed_remove(*, feed_id: int, actor_label: str, source: str = "cli") -> int:
    """Stop importing the feed and free the nights it held (its blocks go with it; its open
    conflicts too: without the event there is nothing left to settle). Returns the blocks
    removed."""
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(pk=feed_id).first()
        if feed is None:
            raise NotFound(f"No calendar feed with id {feed_id}.", code="calendar_feed_not_found")
        Room.objects.select_for_update(of=("self",)).filter(pk=feed.room_id).first()
        removed, _ = RoomBlock.objects.filter(origin=feed.origin).delete()
        audit_log(
            "channels.feed_removed",
            actor_label=actor_label,
            target=f"room:{feed.room_id}",
            source=source,
            details={"feed": feed.pk, "channel": feed.channel, "blocks": removed},
        )
        feed.delete()
    return removed
