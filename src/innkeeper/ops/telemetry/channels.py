"""Scrape-time gauges of the channel calendar sync: one series per imported feed (a property
has a handful), and the open conflicts. Feeds that were never synced count their age from
when they were added, so a feed that never worked still ages into the alert."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric

from innkeeper.channels.feed_selectors import feed_health_list, open_conflicts

LABELS = ["feed", "channel", "room"]


def channels_section() -> Iterator[Metric]:
    families = {
        "age": GaugeMetricFamily(
            "innkeeper_channel_sync_age_seconds",
            "Seconds since the feed's last successful sync (since it was added, if never).",
            labels=LABELS,
        ),
        "failing": GaugeMetricFamily(
            "innkeeper_channel_feed_failing",
            "1 while the feed's last sync failed (its last good blocks stay).",
            labels=LABELS,
        ),
        "events": GaugeMetricFamily(
            "innkeeper_channel_feed_events", "Events in the feed's last good fetch.", labels=LABELS
        ),
        "blocks": GaugeMetricFamily(
            "innkeeper_channel_feed_blocks", "Room blocks the feed holds now.", labels=LABELS
        ),
    }
    for item in feed_health_list():
        if not item.feed.is_active:
            continue
        labels = [str(item.feed.pk), item.feed.channel, item.feed.room.number]
        families["age"].add_metric(labels, item.age_seconds)
        families["failing"].add_metric(labels, float(item.failing))
        families["events"].add_metric(labels, float(item.feed.events))
        families["blocks"].add_metric(labels, float(item.feed.blocks))
    yield from families.values()
    yield GaugeMetricFamily(
        "innkeeper_channel_conflicts_open",
        "Imported channel events over an existing booking, not yet settled by staff.",
        value=float(open_conflicts().count()),
    )
