"""Smoke test of bench/: the data generator fills a database the overlap guard accepts and the
in-process availability scenario runs on it. Tiny sizes; the benchmark itself is `make bench`."""

from __future__ import annotations

import sys

import pytest
from django.conf import settings

from innkeeper.bookings.models import Booking
from innkeeper.bookings.selectors import overlap_report
from innkeeper.rooms.models import Room

sys.path.insert(0, str(settings.PROJECT_DIR))  # bench/ lives beside src/, outside the package


@pytest.mark.django_db
def test_generator_and_selector_scenario_run_on_tiny_data() -> None:
    from bench import availability
    from bench.config import SIZES
    from bench.context import Context
    from bench.generate import generate

    sizes = SIZES["tiny"]
    data = generate(sizes)
    assert Room.objects.count() == len(data.room_ids) == sizes.rooms
    assert data.bookings == Booking.objects.count() > sizes.rooms
    assert 0.55 < data.occupancy < 0.85
    assert overlap_report() == []
    ctx = Context("unused", sizes, data, "http://unused", workers=1, threads=1)
    latencies = availability._selector_latencies(ctx, data.focus_property_id)
    assert 0 < latencies["p50_ms"] <= latencies["p99_ms"]


def test_jobs_scenario_sink_counts_raw_smtp_messages(tmp_path) -> None:
    """The jobs scenario's SMTP sink (its own process) logs each message with its Subject,
    folded or not, and the raw-limit sender's rate is measured from that log."""
    from bench.jobs import _raw
    from bench.server import free_port
    from bench.smtpsink import running_sink, subject_of

    long = "Your booking at " + "A Very Long Hotel Name " * 4 + "is confirmed (IK-7XK2M9QA)"
    cut = long.index(" ", 60)  # folding puts CRLF before a space
    folded = f"Subject: {long[:cut]}\r\n{long[cut:]}\r\nTo: a@example.com\r\n\r\nbody\r\n"
    assert subject_of(folded.encode()) == long
    payloads = [f"Subject: raw {n}\r\n\r\nbody {n}\r\n".encode() for n in range(5)]
    with running_sink(free_port(), tmp_path / "sink.log") as sink:
        phase = _raw(sink, payloads, per_message=True)
        assert [subject for _, subject in sink.received()] == [f"raw {n}" for n in range(5)]
    assert len(phase.rows) == 5
    assert phase.rate > 0
