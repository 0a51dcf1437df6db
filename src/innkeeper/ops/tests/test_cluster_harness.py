"""The parts of `make test-cluster` that decide pass or fail, checked without running the
cluster (it takes minutes): nginx's config with a drained node, the access-log proof that no
request reached a node while it was out, and the classification of answers."""

from __future__ import annotations

import importlib
import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.db import connection
from django.db.models.signals import post_save

from innkeeper.bookings.models import Booking
from innkeeper.testing.cluster.load import Sample, failures, proxy_errors
from innkeeper.testing.cluster.nodes import NGINX, Proxy
from innkeeper.testing.cluster.release.apps import TAG, stamp
from innkeeper.testing.processes import require_binary


def test_a_drained_node_is_marked_down_in_a_config_nginx_accepts(tmp_path: Path) -> None:
    nginx = require_binary(NGINX, "the cluster run's proxy is nginx")
    for folder in ("body", "proxy"):
        (tmp_path / folder).mkdir()
    proxy = Proxy(tmp_path, [18001, 18002], port=18000, down={18002})
    conf = tmp_path / "nginx.conf"
    conf.write_text(proxy.config())
    text = conf.read_text()
    assert "server 127.0.0.1:18002 max_fails=1 fail_timeout=2s down;" in text
    assert "server 127.0.0.1:18001 max_fails=1 fail_timeout=2s;" in text
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr


def test_only_requests_started_on_a_node_inside_its_out_window_are_reported(
    tmp_path: Path,
) -> None:
    proxy = Proxy(tmp_path, [18001, 18002], port=18000)
    proxy.out = {18002: [(100.0, 110.0)]}
    lines = [
        '101.000 0.500 "127.0.0.1:18001" 201',  # the other node: fine
        '105.000 6.000 "127.0.0.1:18002" 201',  # started at 99, before the drain: in flight
        '104.000 0.100 "127.0.0.1:18001, 127.0.0.1:18002" 201',  # tried the drained node
        '111.000 0.500 "127.0.0.1:18002" 201',  # started at 110.5, after it came back
    ]
    proxy.access_log.write_text("\n".join(lines) + "\n")
    assert proxy.sent_while_out() == [lines[2]]


def test_answers_are_failures_unless_by_design_or_in_flight_on_a_killed_node() -> None:
    samples = [
        Sample(at=1.0, seconds=0.1, status=201, retried=False, first=201),
        Sample(at=2.0, seconds=0.1, status=409, retried=False, first=409),
        Sample(at=5.0, seconds=0.1, status=503, retried=False, first=503),  # maintenance
        Sample(at=9.0, seconds=0.1, status=503, retried=False, first=503),  # after it
        Sample(at=3.0, seconds=0.2, status=201, retried=True, first=502),  # killed node
        Sample(at=7.0, seconds=0.2, status=201, retried=True, first=599),  # nothing killed
        Sample(at=8.0, seconds=0.1, status=500, retried=False, first=500),
    ]
    assert failures(samples, (4.0, 6.0)) == {503: 1, 500: 1}
    assert proxy_errors(samples, [(2.5, 3.5)]) == {599: 1}


def test_the_next_version_writes_its_new_column_and_the_old_code_ignores_it(
    make_booking: Callable[..., Booking],
) -> None:
    """The rolling release's "new version" (never in the product's migrations): its expand
    migration and the code writing the column, on the engine under test."""
    migration = importlib.import_module(
        "innkeeper.testing.cluster.release.migrations.0001_release_tag"
    )
    operation = migration.Migration.operations[0]
    with connection.cursor() as cursor:
        cursor.execute(operation.sql)
    post_save.connect(stamp, sender=Booking, dispatch_uid="test-release-stamp")
    try:
        booking = make_booking()
    finally:
        post_save.disconnect(sender=Booking, dispatch_uid="test-release-stamp")
    old = make_booking(check_in=booking.check_out, check_out=booking.check_out + timedelta(1))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, release_tag FROM bookings_booking ORDER BY id")
        assert cursor.fetchall() == [(booking.pk, TAG), (old.pk, None)]
        if connection.vendor == "postgresql":
            # The bookings' deferred constraint checks must run before the table is altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(operation.reverse_sql)
        columns = connection.introspection.get_table_description(cursor, "bookings_booking")
    assert "release_tag" not in {column.name for column in columns}
    assert Booking.objects.get(pk=booking.pk).reference == booking.reference  # old code reads on
