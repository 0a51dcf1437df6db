"""Sync a channel feed, then alert the property about each new conflict: the email is queued
in the transaction that records the conflict (an outbox), so no conflict goes unmailed."""

from __future__ import annotations

from django.db import transaction

from innkeeper.channels.feed_selectors import conflict_alert_text
from innkeeper.channels.feeds import feeds_claim_due
from innkeeper.channels.models import CalendarFeed, ChannelConflict
from innkeeper.channels.sync import SyncResult, feed_sync
from innkeeper.core.errors import NotFound
from innkeeper.notifications.property_alerts import property_alert_queue


def alert_conflict(conflict: ChannelConflict) -> None:
    subject, body = conflict_alert_text(conflict)
    property_alert_queue(
        property_id=conflict.room.property_id,
        key=f"channel-conflict:{conflict.pk}",
        subject=subject,
        body=body,
    )


def feed_sync_then_alert(*, feed_id: int) -> SyncResult:
    return feed_sync(feed_id=feed_id, on_conflict=alert_conflict)


def feeds_sync_then_alert(*, feed_id: int | None = None) -> list[SyncResult]:
    """One feed, or every active feed (one after the other; each in its own transaction)."""
    if feed_id is not None:
        if not CalendarFeed.objects.filter(pk=feed_id).exists():
            raise NotFound(f"No calendar feed with id {feed_id}.", code="calendar_feed_not_found")
        return [feed_sync_then_alert(feed_id=feed_id)]
    ids = CalendarFeed.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
    return [feed_sync_then_alert(feed_id=pk) for pk in ids]


def due_feeds_enqueue() -> int:
    """Periodic: claim the feeds whose (jittered) turn came and queue one job each; claim and
    jobs commit together."""
    from innkeeper.flows.channel_tasks import sync_channel_feed

    with transaction.atomic():
        ids = feeds_claim_due()
        for pk in ids:
            sync_channel_feed.enqueue(feed_id=pk)
    return len(ids)
