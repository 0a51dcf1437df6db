"""Disaster-recovery drill (issue 17 #7): bookings are made continuously, a backup is copied
off-site (moto's S3 server), the machine is lost (a new, empty database, an empty var/, no local
backups), and the site is restored from the off-site copy and served again. Reports bookings
lost (none older than the last backup: the RPO of logical backups is the backup interval), the
restore time, the time until `innkeeper serve` answers /api/health/ready, and checks
`innkeeper bookings verify`. Both engines; the figures are printed (README "RPO and RTO")."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from django.db import connections

from innkeeper.bookings.models import Booking
from innkeeper.ops.backups.services import backup_run
from innkeeper.testing.backups import (
    bookings_in,
    child_env,
    sql,
    stop_cluster,
    wait_archived,
)
from innkeeper.testing.jobs import start, stop, wait_for
from innkeeper.testing.ports import free_port

RPO_TARGET_SECONDS = 5 * 60  # with PITR (issue 17)
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


class Writer(threading.Thread):
    """Makes one-night bookings on consecutive dates until stopped (its own DB connection)."""

    def __init__(self, make_booking: Any, first_night: Any) -> None:
        super().__init__(daemon=True)
        self.make_booking, self.first_night = make_booking, first_night
        self.stopped = threading.Event()
        self.made: list[tuple[str, float]] = []  # (reference, time.time() after commit)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stopped.is_set() and len(self.made) < 150:
                night = self.first_night + timedelta(days=len(self.made))
                booking = self.make_booking(check_in=night, check_out=night + timedelta(days=1))
                self.made.append((booking.reference, time.time()))
                time.sleep(0.02)
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error
        finally:
            connections.close_all()


def _ready(url: str) -> bool:
    try:
        return requests.get(url, timeout=3).status_code == 200
    except requests.RequestException:  # not listening yet
        return False


def test_machine_lost_restored_from_off_site(
    settings, s3, tmp_path, empty_database, make_booking, today
):
    writer = Writer(make_booking, today + timedelta(days=1))
    writer.start()
    wait_for(lambda: len(writer.made) >= 10, what="first bookings", timeout=60)
    manifest = backup_run(actor="drill")  # the scheduled backup, copied off-site
    assert (manifest.offsite or {}).get("verified"), manifest.offsite
    backup_started = manifest.created.timestamp()
    wait_for(lambda: writer.made[-1][1] > time.time() - 1 and len(writer.made) > 20, timeout=60)
    time.sleep(1)  # bookings keep coming after the backup...
    writer.stopped.set()
    writer.join(timeout=60)
    lost_at = time.time()  # ...until the machine is lost
    assert writer.error is None, writer.error

    fresh = tmp_path / "fresh-var"  # the new machine's var/ (empty_database's SQLite file)
    env = os.environ | child_env(
        settings,
        DATABASE_URL=empty_database,
        INNKEEPER_VAR_DIR=str(fresh),
        MEDIA_ROOT=str(fresh / "media"),
        BACKUP_DIR=str(fresh / "backups"),
        BACKUP_SCHEDULE="off",
    )
    started = time.monotonic()
    restore = _run(["backup", "restore", "--latest", "--offsite", "--yes"], env)
    restored_in = time.monotonic() - started
    assert restore.returncode == 0, restore.stdout + restore.stderr
    port = free_port()
    server = start("serve", "--port", str(port), "--no-worker", "--no-scheduler", env=env)
    try:
        wait_for(lambda: _ready(f"http://127.0.0.1:{port}/api/health/ready"), timeout=90)
        serving_in = time.monotonic() - started
    finally:
        stop(server)
    verify = _run(["bookings", "verify"], env)
    assert verify.returncode == 0, verify.stdout + verify.stderr

    restored = set(bookings_in(empty_database))
    lost = [(ref, at) for ref, at in writer.made if ref not in restored]
    # Every booking committed before the backup started is back; only later ones are lost.
    assert all(at >= backup_started for _, at in lost), (lost, backup_started)
    assert all(ref in restored for ref, at in writer.made if at < backup_started)
    assert restored <= set(Booking.objects.values_list("reference", flat=True))
    oldest_lost = max((lost_at - at for _, at in lost), default=0.0)
    rpo_window = lost_at - backup_started
    assert oldest_lost <= rpo_window
    print(
        f"\nDR drill ({connections['default'].vendor}): {len(writer.made)} bookings made, "
        f"{len(lost)} lost (oldest {oldest_lost:.1f} s old; backup taken {rpo_window:.1f} s "
        f"before the loss), restore from off-site {restored_in:.1f} s, "
        f"serving /api/health/ready after {serving_in:.1f} s, bookings verify clean"
    )


WRITER = """
import datetime as dt, sys, time, django
django.setup()
from innkeeper.accounts.models import User
from innkeeper.bookings.services import booking_create
room, guest = int(sys.argv[1]), User.objects.get(pk=int(sys.argv[2]))
first = dt.date.fromisoformat(sys.argv[3])
for i in range(300):
    night = first + dt.timedelta(days=i)
    made = booking_create(room_id=room, check_in=night, check_out=night + dt.timedelta(days=1),
                          guests=2, created_by=guest, guest=guest)
    print(made.reference, time.time(), flush=True)
    time.sleep(0.05)
"""


def _serve_ready(env: dict[str, str], started: float) -> float:
    port = free_port()
    server = start("serve", "--port", str(port), "--no-worker", "--no-scheduler", env=env)
    try:
        wait_for(lambda: _ready(f"http://127.0.0.1:{port}/api/health/ready"), timeout=90)
        return time.monotonic() - started
    finally:
        stop(server)


def test_cluster_lost_restored_with_pitr_from_off_site(
    private_cluster, settings, s3, make_booking, today
):
    url = private_cluster["url"]
    env = os.environ | child_env(settings) | private_cluster["env"] | {"BACKUP_SCHEDULE": "off"}
    booking = make_booking()
    backup_run(actor="drill")  # the site's data, put into the private cluster first
    assert _run(["backup", "restore", "--latest", "--yes"], env).returncode == 0
    setup = _run(["backup", "pitr", "setup"], env)  # full backup, repository off-site
    assert setup.returncode == 0, setup.stdout + setup.stderr

    first = today + timedelta(days=30)  # after the booking of `stay`
    args = [str(booking.room_id), str(booking.guest_id), first.isoformat()]
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, *args], env=env, stdout=subprocess.PIPE, text=True
    )
    made: list[tuple[str, float]] = []
    try:
        _read(writer, made, count=15)
        switched = time.time()  # archive_timeout fires: the segment so far is archived...
        wait_archived(url)
        assert _run(["backup", "pitr", "sync"], env).returncode == 0  # ...and cron copies it
        _read(writer, made, count=len(made) + 15)  # bookings keep coming, then the host dies
    finally:
        writer.kill()
        writer.wait(timeout=30)
    lost_at = time.time()
    data, repo = Path(env["BACKUP_PITR_PGDATA"]), Path(env["BACKUP_PITR_REPO"])
    stop_cluster(data, check=True)
    shutil.rmtree(data)
    shutil.rmtree(repo)
    shutil.rmtree(Path(env["BACKUP_PITR_CONFIG"]).parent)  # the pgBackRest configuration too

    started = time.monotonic()
    pull = _run(["backup", "pitr", "pull"], env)
    assert pull.returncode == 0, pull.stdout + pull.stderr
    restore = _run(["backup", "restore", "--to-time", "latest", "--yes"], env)
    assert restore.returncode == 0, restore.stdout + restore.stderr
    restored_in = time.monotonic() - started
    serving_in = _serve_ready(env, started)
    verify = _run(["bookings", "verify"], env)
    assert verify.returncode == 0, verify.stdout + verify.stderr

    restored = {row[0] for row in sql(url, "SELECT reference FROM bookings_booking")}
    lost = [(ref, at) for ref, at in made if ref not in restored]
    assert all(ref in restored for ref, at in made if at < switched)
    assert all(at >= switched for _, at in lost)
    oldest_lost = max((lost_at - at for _, at in lost), default=0.0)
    assert oldest_lost < RPO_TARGET_SECONDS
    print(
        f"\nDR drill (postgresql, PITR): {len(made)} bookings made, {len(lost)} lost (oldest "
        f"{oldest_lost:.1f} s old: WAL not yet archived), pull + restore {restored_in:.1f} s, "
        f"serving /api/health/ready after {serving_in:.1f} s, bookings verify clean"
    )


def _read(process: subprocess.Popen[str], made: list[tuple[str, float]], *, count: int) -> None:
    assert process.stdout is not None
    while len(made) < count:
        line = process.stdout.readline()
        assert line, f"the booking writer stopped after {len(made)} bookings"
        reference, at = line.split()
        made.append((reference, float(at)))


def _run(args: list[str], env: dict[str, str]) -> Any:
    from innkeeper.testing.jobs import innkeeper

    return innkeeper(*args, env=env, timeout=300)
