"""Backups encrypted at rest with age: the server holds public keys only, the private key is
given at verify/restore time, and keys rotate without losing the older backups (issue 17 #2)."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from innkeeper.bookings.models import Booking
from innkeeper.ops.backups.engines import database_name
from innkeeper.ops.backups.manifest import data_path
from innkeeper.ops.backups.services import backup_run
from innkeeper.testing.cli import innkeeper

HMAC_KEY = "encryption-test-hmac-key-0123456789"


def cli(folder: Path, *args: str, keys: str = "") -> Any:
    return innkeeper(
        "backup", *args, BACKUP_DIR=str(folder), BACKUP_HMAC_KEY=HMAC_KEY, BACKUP_PUBLIC_KEYS=keys
    )


def keygen(folder: Path, out: Path) -> str:
    made = cli(folder, "keygen", "--out", str(out))
    assert made.returncode == 0, made.stderr
    public = made.stdout.splitlines()[1]
    assert public.startswith("age1")
    return public


def test_keygen_writes_a_private_key_once_and_outside_backup_dir(tmp_path):
    folder = tmp_path / "backups"
    key = tmp_path / "keys" / "backup.key"
    key.parent.mkdir()
    public = keygen(folder, key)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    text = key.read_text()
    assert f"# public key: {public}" in text and "AGE-SECRET-KEY-1" in text
    again = cli(folder, "keygen", "--out", str(key))
    assert again.returncode == 1 and "not overwriting" in again.stderr
    assert key.read_text() == text
    folder.mkdir()
    inside = cli(folder, "keygen", "--out", str(folder / "backup.key"))
    assert inside.returncode == 1 and "out of BACKUP_DIR" in inside.stderr


@pytest.mark.django_db(transaction=True)
def test_encrypted_backups_verify_restore_and_key_rotation(
    settings, backup_dir, tmp_path, make_booking
):
    settings.BACKUP_HMAC_KEY = HMAC_KEY
    old_key, new_key, both = tmp_path / "old.key", tmp_path / "new.key", tmp_path / "both.key"
    old_public, new_public = keygen(backup_dir, old_key), keygen(backup_dir, new_key)
    both.write_text(old_key.read_text() + new_key.read_text())
    booking = make_booking()

    settings.BACKUP_PUBLIC_KEYS = [old_public]
    before = backup_run(actor="test")
    stored = data_path(before).read_bytes()
    assert before.file.endswith(".age") and stored.startswith(b"age-encryption.org/v1")
    assert booking.reference.encode() not in stored
    assert before.encryption == {"format": "age", "recipients": [old_public]}

    no_key = cli(backup_dir, "verify", before.id)
    assert (
        no_key.returncode == 1 and "is encrypted" in no_key.stderr and "--key-file" in no_key.stderr
    )
    ok = cli(backup_dir, "verify", before.id, "--key-file", str(old_key))
    assert ok.returncode == 0, ok.stdout + ok.stderr

    # Rotation: new backups go to the new key; the old key still opens the old backups.
    settings.BACKUP_PUBLIC_KEYS = [new_public]
    after = backup_run(actor="test")
    wrong = cli(backup_dir, "verify", after.id, "--key-file", str(old_key))
    assert wrong.returncode == 1 and f"encrypted to {new_public}" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    for backup in (before, after):
        opened = cli(backup_dir, "verify", backup.id, "--key-file", str(both))
        assert opened.returncode == 0, opened.stdout + opened.stderr

    Booking.objects.filter(pk=booking.pk).delete()
    restore = cli(
        backup_dir,
        "restore",
        after.id,
        "--confirm",
        database_name(),
        "--key-file",
        str(new_key),
        keys=new_public,
    )
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert Booking.objects.get(pk=booking.pk).reference == booking.reference
    safety = sorted(backup_dir.glob("*.age"))[-1]  # the safety backup is encrypted too
    assert safety.name not in (before.file, after.file)


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_drill_skips_encrypted_backups_without_a_key(
    settings, backup_dir, tmp_path, caplog, make_booking
):
    from innkeeper.ops.backups.crypto import keygen as make_key
    from innkeeper.ops.backups.tasks import restore_drill

    settings.BACKUP_PUBLIC_KEYS = [make_key(tmp_path / "drill.key")]
    settings.BACKUP_PRIVATE_KEY_FILE = ""
    make_booking()
    manifest = backup_run(actor="test")
    result = restore_drill.call()
    assert result == {"backup": manifest.id, "ok": None, "skipped": "no BACKUP_PRIVATE_KEY_FILE"}
    assert f"backup {manifest.id} is encrypted and no private key is set" in caplog.text
