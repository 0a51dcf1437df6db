"""Restore onto a clean machine: an empty, unmigrated database and an empty var/ (issue 17 #6;
before, `innkeeper backup restore` died with `no such table: ops_sitemode`)."""

from __future__ import annotations

import pytest

from innkeeper.ops.backups.services import backup_run
from innkeeper.testing.backups import bookings_in
from innkeeper.testing.cli import innkeeper

HMAC_KEY = "clean-machine-hmac-key-0123456789"


@pytest.mark.django_db(transaction=True)
def test_restore_into_an_empty_database_and_empty_var(
    settings, backup_dir, tmp_path, empty_database, make_booking
):
    settings.BACKUP_HMAC_KEY = HMAC_KEY
    booking = make_booking()
    manifest = backup_run(actor="test")
    fresh_var = tmp_path / "fresh-var"  # a new machine: no secret key, no database, nothing
    env = {
        "DATABASE_URL": empty_database,
        "INNKEEPER_VAR_DIR": str(fresh_var),
        "BACKUP_DIR": str(backup_dir),
        "BACKUP_HMAC_KEY": HMAC_KEY,
    }
    restore = innkeeper("backup", "restore", "--latest", "--yes", **env)
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert "The database was empty: restored into it, no safety backup." in restore.stdout
    assert f"OK: restored backup {manifest.id}; integrity check passed." in restore.stdout
    assert "Traceback" not in restore.stderr
    assert bookings_in(empty_database) == [booking.reference]

    pending = innkeeper("migrations", "status", **env)
    assert pending.returncode == 0, pending.stdout + pending.stderr
    verify = innkeeper("bookings", "verify", **env)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    # The restored site is in the mode the backup was taken in (normal), and serves.
    mode = innkeeper("maintenance", "status", **env)
    assert mode.returncode == 0 and "maintenance: off" in mode.stdout, mode.stdout
