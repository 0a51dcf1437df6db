"""Media (room photos, receipts) and the non-secret settings are backed up with the database and
restored with it (issue 17 #5), on both engines, encrypted or not."""

from __future__ import annotations

import json
import stat
import tarfile
from pathlib import Path
from typing import Any

import pytest

from innkeeper.core.errors import BackupFailed
from innkeeper.ops.backups.files import SETTINGS_MEMBER
from innkeeper.ops.backups.manifest import files_path
from innkeeper.ops.backups.services import backup_restore, backup_run
from innkeeper.ops.backups.verify import checksum_problem
from innkeeper.testing.backups import bookings_in
from innkeeper.testing.cli import innkeeper

HMAC_KEY = "media-test-hmac-key-0123456789"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """A MEDIA_ROOT with a photo, a receipt, and a symlink pointing out of it."""
    root = tmp_path / "media"
    (root / "rooms").mkdir(parents=True)
    (root / "receipts" / "2026").mkdir(parents=True)
    (root / "rooms" / "sea-view.jpg").write_bytes(b"\xff\xd8photo" * 100)
    (root / "receipts" / "2026" / "R-1.pdf").write_bytes(b"%PDF-1.7 receipt")
    outside = tmp_path / "outside.txt"
    outside.write_text("not media")
    (root / "link.txt").symlink_to(outside)
    settings.MEDIA_ROOT = root
    settings.BACKUP_HMAC_KEY = HMAC_KEY
    return root


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.mark.django_db(transaction=True)
def test_media_and_settings_go_into_the_backup_without_secrets(settings, backup_dir, media):
    settings.SECRET_KEY = "a-secret-that-must-not-leak-0123456789"
    settings.REDIS_URL = "redis://:hunter2-redis-password@127.0.0.1:6379/0"
    manifest = backup_run(actor="test")
    files = manifest.files or {}
    assert files["media_files"] == 2 and files["media_bytes"] == 700 + 16
    archive = files_path(manifest)
    assert archive is not None and archive.name == f"{manifest.id}.files.tar.gz"
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as opened:
        names = sorted(opened.getnames())
        handle = opened.extractfile(SETTINGS_MEMBER)
        assert handle is not None
        raw = handle.read().decode()
    assert names == ["media/receipts/2026/R-1.pdf", "media/rooms/sea-view.jpg", SETTINGS_MEMBER]
    snapshot = json.loads(raw)
    assert snapshot["TIME_ZONE"] == settings.TIME_ZONE
    assert snapshot["BACKUP_S3_PREFIX"] == settings.BACKUP_S3_PREFIX
    for secret in ("a-secret-that-must-not-leak", "hunter2", HMAC_KEY):
        assert secret not in raw
    assert "SECRET_KEY" not in snapshot and "BACKUP_HMAC_KEY" not in snapshot
    assert "REDIS_URL" not in snapshot

    # The archive is covered by the signed manifest: a changed byte is caught.
    assert checksum_problem(manifest) is None
    archive.write_bytes(archive.read_bytes() + b"x")
    assert "checksum mismatch" in (checksum_problem(manifest) or "")
    with pytest.raises(BackupFailed):
        backup_restore(manifest=manifest, actor="test")


@pytest.mark.django_db(transaction=True)
def test_restore_puts_the_backups_media_back(settings, backup_dir, media):
    before = tree(media)
    manifest = backup_run(actor="test")
    (media / "rooms" / "sea-view.jpg").write_bytes(b"overwritten")
    (media / "rooms" / "new.jpg").write_bytes(b"uploaded after the backup")
    (media / "receipts" / "2026" / "R-1.pdf").unlink()
    changed = tree(media)

    report = backup_restore(manifest=manifest, actor="test")
    assert report.files is not None and report.files.media_files == 2
    assert tree(media) == before
    restored_settings = Path(report.files.settings_file)
    assert restored_settings == media.parent / "restored-settings.json"
    assert json.loads(restored_settings.read_text())["TIME_ZONE"] == settings.TIME_ZONE
    assert stat.S_IMODE(restored_settings.stat().st_mode) == 0o600
    # The safety backup taken first kept the media as they were before the restore.
    assert report.safety_backup
    safety = next(m for m in _manifests() if m.id == report.safety_backup)
    settings.MEDIA_ROOT = media.parent / "elsewhere"
    backup_restore(manifest=safety, actor="test")
    assert tree(settings.MEDIA_ROOT) == changed


def _manifests() -> list[Any]:
    from innkeeper.ops.backups.manifest import all_manifests

    return all_manifests()


@pytest.mark.django_db(transaction=True)
def test_clean_machine_restore_brings_the_media_back_encrypted(
    settings, backup_dir, media, tmp_path, empty_database, make_booking
):
    made = innkeeper("backup", "keygen", "--out", str(tmp_path / "backup.key"))
    assert made.returncode == 0, made.stderr
    settings.BACKUP_PUBLIC_KEYS = [made.stdout.splitlines()[1]]
    booking = make_booking()
    manifest = backup_run(actor="test")
    assert str((manifest.files or {})["file"]).endswith(".files.tar.gz.age")
    fresh_media = tmp_path / "fresh-var" / "media"
    env = {
        "DATABASE_URL": empty_database,
        "INNKEEPER_VAR_DIR": str(tmp_path / "fresh-var"),
        "MEDIA_ROOT": str(fresh_media),
        "BACKUP_DIR": str(backup_dir),
        "BACKUP_HMAC_KEY": HMAC_KEY,
    }
    key = str(tmp_path / "backup.key")
    restore = innkeeper("backup", "restore", "--latest", "--yes", "--key-file", key, **env)
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert f"Media restored: 2 file(s) into {fresh_media}" in restore.stdout
    assert tree(fresh_media) == tree(media)
    assert bookings_in(empty_database) == [booking.reference]


@pytest.mark.django_db(transaction=True)
def test_a_symlinked_media_root_stays_a_symlink(settings, backup_dir, media, tmp_path):
    """MEDIA_ROOT -> /mnt/photos (another disk): the link is kept, its contents replaced."""
    real = tmp_path / "photos-disk"
    media.rename(real)
    media.symlink_to(real)
    before = tree(real)
    manifest = backup_run(actor="test")
    (real / "rooms" / "new.jpg").write_bytes(b"after the backup")
    backup_restore(manifest=manifest, actor="test")
    assert media.is_symlink() and media.resolve() == real
    assert tree(real) == before
