"""Jobs of the channel sync flow. Thin: they call the flow."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from innkeeper.core.errors import NotFound
from innkeeper.flows.channel_sync import due_feeds_enqueue, feed_sync_then_alert
from innkeeper.jobs.retry import retry_policy


@task(queue_name="default")
@retry_policy(max_attempts=3)
def sync_due_channel_feeds() -> int:
    """Periodic (every minute): each feed's turn comes about every CHANNEL_SYNC_MINUTES."""
    return due_feeds_enqueue()


@task(queue_name="default")
@retry_policy(max_attempts=2, give_up_on=(NotFound,))
def sync_channel_feed(*, feed_id: int) -> dict[str, Any]:
    """A failed fetch is recorded on the feed (and retried at its next turn), not raised."""
    result = feed_sync_then_alert(feed_id=feed_id)
    return {
        "ok": result.ok,
        "events": result.events,
        "blocks": result.blocks,
        "opened": len(result.opened),
        "resolved": len(result.resolved),
        "error_code": result.error_code,
    }
