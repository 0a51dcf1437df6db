"""`innkeeper channels add|status|sync|conflicts` in real subprocesses against the test
database and a real local calendar server; the scheduler's job claims each feed once."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from innkeeper.bookings.models import RoomBlock
from innkeeper.channels.models import CalendarFeed
from innkeeper.flows.channel_sync import due_feeds_enqueue
from innkeeper.testing import channel_calendars as cal
from innkeeper.testing.jobs import child_env, innkeeper

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_add_sync_status_conflicts_from_the_command_line(channel, room, make_booking, today):
    env = child_env(CHANNEL_ALLOW_PRIVATE_URLS="true")
    booking = make_booking()
    free = today + timedelta(days=30)
    url = channel.serve(
        "/airbnb.ics",
        cal.airbnb(
            [
                ("ok1", free, free + timedelta(days=2), "Reserved"),
                ("clash", booking.check_in, booking.check_out, "Reserved"),
            ]
        ),
    )
    added = innkeeper("channels", "add", str(room.pk), url, "--channel", "Airbnb", env=env)
    assert added.returncode == 0, added.stderr
    feed_id = int(added.stdout.strip())
    assert CalendarFeed.objects.get(pk=feed_id).channel == "Airbnb"

    synced = innkeeper("channels", "sync", "--feed", str(feed_id), env=env)
    assert synced.returncode == 0, synced.stderr
    assert f"feed {feed_id}: ok (updated), 2 events, 1 blocks, 1 new conflicts" in synced.stdout
    assert RoomBlock.objects.filter(room=room).count() == 1

    conflicts = innkeeper("channels", "conflicts", "--json", env=env)
    assert conflicts.returncode == 0, conflicts.stderr
    [conflict] = json.loads(conflicts.stdout)
    assert conflict["booking"]["reference"] == booking.reference
    assert conflict["event"]["start"] == booking.check_in.isoformat()
    text = innkeeper("channels", "conflicts", env=env)
    assert f"over booking {booking.reference}" in text.stdout

    # The channel goes down: sync exits 1 and says why; status shows the error and age.
    channel.serve("/airbnb.ics", b"", status=503)
    failed = innkeeper("channels", "sync", env=env)
    assert failed.returncode == 1
    assert "FAILED feed_http_error" in failed.stdout and "1 feed(s) failed" in failed.stderr
    status = innkeeper("channels", "status", "--json", env=env)
    assert status.returncode == 0, status.stderr
    [row] = json.loads(status.stdout)
    assert row["failing"] and row["last_error_code"] == "feed_http_error"
    assert (row["events"], row["blocks"]) == (2, 1) and row["last_success_at"]
    assert row["url"].endswith("/…")  # the path (often the channel's secret) stays hidden
    human = innkeeper("channels", "status", env=env)
    assert "FAILING" in human.stdout and "feed_http_error" in human.stdout
    assert RoomBlock.objects.filter(room=room).count() == 1  # last good blocks kept

    unconfirmed = innkeeper("channels", "remove", str(feed_id), env=env)
    assert unconfirmed.returncode == 2 and "--yes" in unconfirmed.stderr
    removed = innkeeper("channels", "remove", str(feed_id), "--yes", env=env)
    assert removed.returncode == 0 and "1 blocks freed" in removed.stdout, removed.stderr
    assert not RoomBlock.objects.filter(room=room).exists()
    assert not CalendarFeed.objects.filter(pk=feed_id).exists()


def test_cli_errors_are_helpful(room):
    env = child_env()
    bad = innkeeper(
        "channels", "add", str(room.pk), "ftp://x.example/a.ics", "--channel", "X", env=env
    )
    assert bad.returncode == 2 and "Only http" in bad.stderr
    missing = innkeeper(
        "channels", "add", "999999", "https://x.example/a.ics", "--channel", "X", env=env
    )
    assert missing.returncode == 1 and "No room with id 999999" in missing.stderr
    unknown = innkeeper("channels", "sync", "--feed", "424242", env=env)
    assert unknown.returncode == 1 and "No calendar feed with id 424242" in unknown.stderr
    empty = innkeeper("channels", "conflicts", env=env)
    assert empty.returncode == 0 and "No open conflicts" in empty.stdout


def test_the_scheduler_job_claims_each_due_feed_once(room):
    from django_tasks_db.models import DBTaskResult

    feeds = [
        CalendarFeed.objects.create(room=room, channel=f"C{i}", url=f"https://c{i}.example/x.ics")
        for i in range(3)
    ]
    assert due_feeds_enqueue() == 3
    assert due_feeds_enqueue() == 0  # a second scheduler (or tick) finds nothing due
    jobs = DBTaskResult.objects.filter(task_path__endswith="sync_channel_feed")
    assert sorted(job.args_kwargs["kwargs"]["feed_id"] for job in jobs) == [f.pk for f in feeds]
    for feed in CalendarFeed.objects.all():
        # Jittered turn: CHANNEL_SYNC_MINUTES (10) give or take a fifth.
        assert feed.next_sync_at is not None
        wait = (feed.next_sync_at - feed.updated_at).total_seconds() / 60
        assert 7.9 <= wait <= 12.1
