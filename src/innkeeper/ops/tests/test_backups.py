"""`innkeeper backup ...` and `innkeeper migrations status` as real subprocesses, on the test
database of this run (SQLite file or PostgreSQL), with backups in a temporary BACKUP_DIR."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from innkeeper.bookings.models import Booking
from innkeeper.core.models import AuditEvent
from innkeeper.ops.backups.engines import database_name
from innkeeper.ops.backups.manifest import sha256_of
from innkeeper.ops.maintenance import site_mode_row
from innkeeper.testing.cli import innkeeper

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def backup(folder: Path, *args: str) -> Any:
    return innkeeper("backup", *args, BACKUP_DIR=str(folder))


def take(folder: Path) -> dict[str, Any]:
    run = backup(folder, "run", "--json")
    assert run.returncode == 0, run.stderr
    manifest: dict[str, Any] = json.loads(run.stdout)
    return manifest


def test_run_list_status_verify(backup_dir, make_booking):
    make_booking()
    manifest = take(backup_dir)
    assert manifest["engine"] == connection.vendor
    assert manifest["database"] == database_name()
    assert manifest["row_counts"]["bookings_booking"] == 1
    applied = MigrationRecorder.Migration.objects.filter(app="bookings").values_list("name")
    assert manifest["migrations"]["bookings"] == max(name for (name,) in applied)  # the latest
    assert manifest["kind"] == "manual" and manifest["verification"] is None
    assert sha256_of(backup_dir / manifest["file"]) == manifest["sha256"]
    assert AuditEvent.objects.filter(action="backup.created", target=manifest["id"]).exists()

    listing = backup(backup_dir, "list", "--json")
    assert [m["id"] for m in json.loads(listing.stdout)] == [manifest["id"]]
    status = backup(backup_dir, "status")
    assert status.returncode == 0, status.stderr
    assert f"latest backup: {manifest['id']}" in status.stdout and "not verified" in status.stdout

    verify = backup(backup_dir, "verify", manifest["id"])
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert f"OK: backup {manifest['id']} is restorable." in verify.stdout
    saved = json.loads((backup_dir / f"{manifest['id']}.json").read_text())
    assert saved["verification"]["ok"] is True
    assert saved["verification"]["checks"]["row_counts"] == "ok"
    assert saved["verification"]["checks"]["integrity"]["overlapping_pairs"] == 0
    summary = json.loads(backup(backup_dir, "status", "--json").stdout)
    assert summary["ok"] and summary["latest_verified"] is True
    if connection.vendor == "postgresql":  # the scratch database was dropped
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_database WHERE datname LIKE 'innkeeper_verify_%'"
            )
            assert cursor.fetchone()[0] == 0


def test_tampered_backup_fails_verify_and_status(backup_dir, make_booking):
    make_booking()
    manifest = take(backup_dir)
    path = backup_dir / manifest["file"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    verify = backup(backup_dir, "verify", "--latest")
    assert verify.returncode == 1
    assert "checksum mismatch" in verify.stdout
    assert f"Backup {manifest['id']} FAILED verification." in verify.stderr
    assert "Traceback" not in verify.stderr
    status = backup(backup_dir, "status")
    assert status.returncode == 1
    assert "VERIFY FAILED" in status.stdout
    assert f"the last restore drill ({manifest['id']}) failed: checksum mismatch" in status.stderr

    restore = backup(backup_dir, "restore", "--latest", "--confirm", database_name())
    assert restore.returncode == 1 and "Not restoring backup" in restore.stderr


def test_restore_with_the_wrong_name_changes_nothing(backup_dir, make_booking):
    first = make_booking()
    take(backup_dir)
    Booking.objects.filter(pk=first.pk).delete()
    today = datetime.now(UTC).date().isoformat()

    wrong = backup(backup_dir, "restore", f"--date={today}", "--confirm", "not-the-db")
    assert wrong.returncode == 1
    assert f"'not-the-db' is not '{database_name()}': nothing was restored." in wrong.stderr
    unconfirmed = backup(backup_dir, "restore", "--latest")  # no terminal, no --confirm
    assert unconfirmed.returncode == 1 and "--confirm" in unconfirmed.stderr
    bad_date = backup(backup_dir, "restore", "--date=yesterday", "--confirm", database_name())
    assert bad_date.returncode == 1 and "--date wants YYYY-MM-DD" in bad_date.stderr

    assert not Booking.objects.filter(pk=first.pk).exists()
    assert len(list(backup_dir.glob("*.json"))) == 1  # no safety backup: nothing started
    assert not site_mode_row().maintenance


def test_restore_latest_brings_back_a_deleted_booking(backup_dir, make_booking):
    booking = make_booking()
    manifest = take(backup_dir)
    Booking.objects.filter(pk=booking.pk).delete()

    restore = backup(backup_dir, "restore", "--latest", "--confirm", database_name())
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert f"OK: restored backup {manifest['id']}; integrity check passed." in restore.stdout
    assert "Site mode now: normal" in restore.stdout
    assert Booking.objects.get(pk=booking.pk).reference == booking.reference
    assert not site_mode_row().maintenance
    event = AuditEvent.objects.get(action="backup.restored")
    assert event.target == manifest["id"]
    listed = json.loads(backup(backup_dir, "list", "--json").stdout)
    assert [m["kind"] for m in listed] == ["manual", "pre-restore"]

    # A second `--latest` takes the same backup again, not the safety copy of the first restore.
    again = backup(backup_dir, "restore", "--latest", "--confirm", database_name())
    assert f"OK: restored backup {manifest['id']}" in again.stdout, again.stderr
    safety = listed[1]["id"]
    undo = backup(backup_dir, "restore", safety, "--confirm", database_name())
    assert f"OK: restored backup {safety}" in undo.stdout, undo.stderr


def test_restore_keeps_the_mode_the_site_was_in(backup_dir, make_booking):
    from innkeeper.ops.maintenance import read_only_set

    make_booking()
    take(backup_dir)  # taken in normal mode
    read_only_set(enabled=True, actor="test")
    restore = backup(backup_dir, "restore", "--latest", "--yes")
    assert restore.returncode == 0, restore.stderr
    assert "Site mode now: read_only" in restore.stdout
    row = site_mode_row()
    assert row.read_only and not row.maintenance


def test_migrations_status_exit_codes():
    ok = innkeeper("migrations", "status")
    assert ok.returncode == 0, ok.stderr
    assert "OK: no pending migrations." in ok.stdout
    recorder = MigrationRecorder(connection)
    recorder.record_unapplied("payments", "0002_ledger_append_only")
    try:
        pending = innkeeper("migrations", "status")
        assert pending.returncode == 1
        assert "PENDING: 0002_ledger_append_only" in pending.stdout
        assert "1 migration(s) pending" in pending.stderr
        report = json.loads(innkeeper("migrations", "status", "--json").stdout)
        assert report["pending"] == 1
        assert report["apps"]["payments"]["pending"] == ["0002_ledger_append_only"]
    finally:
        recorder.record_applied("payments", "0002_ledger_append_only")
