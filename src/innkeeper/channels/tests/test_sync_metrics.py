"""Channel sync health in /metrics (per feed: age, failing, events, blocks; open conflicts)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from innkeeper.channels.feeds import calendar_feed_add
from innkeeper.channels.sync import feed_sync
from innkeeper.testing import channel_calendars as cal

pytestmark = pytest.mark.django_db


def samples(client: Client, name: str) -> dict[str, float]:
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    return {
        sample.labels.get("feed", ""): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
        if sample.name == name
    }


def test_sync_age_failing_and_conflicts_are_scraped(
    private_urls, settings, channel, room, make_booking, today
):
    settings.METRICS_CACHE_SECONDS = 0
    booking = make_booking()
    url = channel.serve(
        "/a.ics",
        cal.airbnb(
            [
                ("x", booking.check_in, booking.check_out, "Reserved"),
                ("y", today + timedelta(days=40), today + timedelta(days=42), "Reserved"),
            ]
        ),
    )
    feed = calendar_feed_add(room_id=room.pk, url=url, channel="Airbnb", actor_label="t")
    client = Client()
    never = samples(client, "innkeeper_channel_sync_age_seconds")
    assert set(never) == {str(feed.pk)}  # a feed that never synced still ages

    assert feed_sync(feed_id=feed.pk).ok
    key = str(feed.pk)
    assert samples(client, "innkeeper_channel_sync_age_seconds")[key] < 60
    assert samples(client, "innkeeper_channel_feed_failing")[key] == 0
    assert samples(client, "innkeeper_channel_feed_events")[key] == 2
    assert samples(client, "innkeeper_channel_feed_blocks")[key] == 1
    assert samples(client, "innkeeper_channel_conflicts_open") == {"": 1}

    channel.serve("/a.ics", b"", status=502)
    feed_sync(feed_id=feed.pk)
    assert samples(client, "innkeeper_channel_feed_failing")[key] == 1
