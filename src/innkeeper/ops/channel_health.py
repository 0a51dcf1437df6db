"""The `channels` check of `/api/health/full`: every imported calendar feed's sync health,
and the conflicts between imported events and bookings that staff still have to settle.

Degraded when a feed is failing or stale (no success for CHANNEL_SYNC_STALE_MINUTES) or a
conflict is open: each is a double booking waiting to happen, or already there."""

from __future__ import annotations

from innkeeper.channels.feed_selectors import feed_health_list, open_conflicts
from innkeeper.ops.health import DEGRADED, HEALTHY, NOT_CONFIGURED, CheckResult


def check_channels() -> CheckResult:
    feeds = feed_health_list()
    conflicts = open_conflicts().count()
    if not feeds and not conflicts:
        return CheckResult(NOT_CONFIGURED)
    failing = [item.feed.pk for item in feeds if item.failing]
    stale = [item.feed.pk for item in feeds if item.stale]
    details = {
        "feeds": [
            {
                key: value
                for key, value in item.as_dict().items()
                if key not in ("url", "last_error")  # no secrets, no raw text
            }
            for item in feeds
        ],
        "failing_feeds": failing,
        "stale_feeds": stale,
        "open_conflicts": conflicts,
    }
    return CheckResult(DEGRADED if failing or stale or conflicts else HEALTHY, details)
