"""Reads about imported feeds: their sync health, and the open conflicts staff must settle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from innkeeper.channels.models import CalendarFeed, ChannelConflict, ConflictStatus


@dataclass(frozen=True)
class FeedHealth:
    feed: CalendarFeed
    age_seconds: float  # since the last success (since it was added, if never)
    stale: bool
    failing: bool

    def as_dict(self) -> dict[str, Any]:
        feed = self.feed
        return {
            "id": feed.pk,
            "room_id": feed.room_id,
            "room": feed.room.number,
            "channel": feed.channel,
            "url": redacted_url(feed.url),
            "active": feed.is_active,
            "last_success_at": _iso(feed.last_success_at),
            "last_attempt_at": _iso(feed.last_attempt_at),
            "last_error_at": _iso(feed.last_error_at),
            "last_error_code": feed.last_error_code,
            "last_error": feed.last_error,
            "failing": self.failing,
            "stale": self.stale,
            "age_seconds": round(self.age_seconds, 1),
            "events": feed.events,
            "blocks": feed.blocks,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def redacted_url(url: str) -> str:
    """Feed URLs carry the channel's secret token: show the host and a hint only."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    tail = parts.path[-6:] if len(parts.path) > 12 else ""
    return f"{parts.scheme}://{parts.netloc}/…{tail}"


def feed_health_list(*, now: datetime | None = None) -> list[FeedHealth]:
    now = now or timezone.now()
    stale_after = settings.CHANNEL_SYNC_STALE_MINUTES * 60
    found = []
    for feed in CalendarFeed.objects.select_related("room").order_by("room_id", "pk"):
        since = feed.last_success_at or feed.created_at
        age = max(0.0, (now - since).total_seconds())
        found.append(
            FeedHealth(
                feed=feed,
                age_seconds=age,
                stale=feed.is_active and age > stale_after,
                failing=feed.is_active and feed.failing,
            )
        )
    return found


def open_conflicts(*, property_id: int | None = None) -> QuerySet[ChannelConflict]:
    conflicts = ChannelConflict.objects.filter(status=ConflictStatus.OPEN).select_related(
        "feed", "room", "booking"
    )
    if property_id is not None:
        conflicts = conflicts.filter(room__property_id=property_id)
    return conflicts.order_by("start", "pk")


def channel_alerts(*, property_id: int) -> dict[str, Any]:
    """What the front desk shows at the top of its day: open conflicts, failing feeds."""
    failing = [
        item
        for item in feed_health_list()
        if item.failing and item.feed.room.property_id == property_id
    ]
    return {
        "conflicts": list(open_conflicts(property_id=property_id)),
        "failing_feeds": failing,
    }


def conflict_as_dict(conflict: ChannelConflict) -> dict[str, Any]:
    booking = conflict.booking
    return {
        "id": conflict.pk,
        "status": conflict.status,
        "room_id": conflict.room_id,
        "room": conflict.room.number,
        "feed_id": conflict.feed_id,
        "channel": conflict.feed.channel,
        "event": {
            "uid": conflict.event_key,
            "start": conflict.start.isoformat(),
            "end": conflict.end.isoformat(),
            "summary": conflict.summary,
        },
        "booking": {
            "reference": booking.reference,
            "status": booking.status,
            "check_in": booking.check_in.isoformat(),
            "check_out": booking.check_out.isoformat(),
        },
        "opened_at": conflict.created_at.isoformat(),
    }


def conflict_alert_text(conflict: ChannelConflict) -> tuple[str, str]:
    """Subject and body of the email the property gets for a new conflict."""
    booking, feed = conflict.booking, conflict.feed
    subject = (
        f"Double booking risk: {feed.channel} blocks room {conflict.room.number} "
        f"over booking {booking.reference}"
    )
    body = (
        f"The {feed.channel} calendar (feed {feed.pk}) holds room {conflict.room.number} "
        f"from {conflict.start:%a %d %b %Y} to {conflict.end:%a %d %b %Y} "
        f'("{conflict.summary or "no title"}"),\n'
        f"but booking {booking.reference} ({booking.guest_name}, {booking.check_in:%d %b} to "
        f"{booking.check_out:%d %b %Y}, {booking.status}) already holds some of those nights.\n\n"
        "Both are kept. Move or cancel one of them (the channel's reservation in the channel, "
        "or the booking at the front desk); the next sync clears the conflict.\n"
        "See: innkeeper channels conflicts\n"
    )
    return subject, body
