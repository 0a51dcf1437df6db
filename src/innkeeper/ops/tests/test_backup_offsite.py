"""Off-site copies against a real S3 API: moto's server in a subprocess on a free port, driven
by the real boto3 client (issue 17 #3 and the "from an off-site copy" half of #6)."""

from __future__ import annotations

import base64
import json
import os

import pytest

from innkeeper.bookings.models import Booking
from innkeeper.ops.backups.engines import database_name
from innkeeper.ops.backups.manifest import all_manifests, data_path
from innkeeper.ops.backups.selectors import backup_status, backup_times
from innkeeper.ops.backups.services import backup_run, backups_prune
from innkeeper.testing.backups import BUCKET, child_env
from innkeeper.testing.cli import innkeeper
from innkeeper.testing.ports import free_port


@pytest.mark.django_db(transaction=True)
def test_backups_go_off_site_verified_and_versioned(settings, s3, make_booking):
    make_booking()
    manifest = backup_run(actor="test")
    record = manifest.offsite or {}
    assert record["verified"] is True and record["version_id"]
    key = f"{settings.BACKUP_S3_PREFIX}{manifest.file}"
    head = s3.head_object(Bucket=BUCKET, Key=key, ChecksumMode="ENABLED")
    assert base64.b64decode(head["ChecksumSHA256"]).hex() == manifest.sha256
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    remote = json.loads(
        s3.get_object(Bucket=BUCKET, Key=f"{settings.BACKUP_S3_PREFIX}{manifest.id}.json")[
            "Body"
        ].read()
    )
    assert remote["sha256"] == manifest.sha256 and remote["hmac"]
    times = backup_times()
    assert times["last_offsite"] == times["last_local"] == manifest.created
    assert backup_status().ok, backup_status().problems

    # Remote retention follows the local tiers: keep the newest one only.
    settings.BACKUP_KEEP, settings.BACKUP_KEEP_DAILY = 1, 0
    settings.BACKUP_KEEP_WEEKLY = settings.BACKUP_KEEP_MONTHLY = 0
    newer = backup_run(actor="test")
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=settings.BACKUP_S3_PREFIX)["Contents"]
    assert sorted(o["Key"].rsplit("/", 1)[1] for o in listed) == sorted(
        [newer.file, f"{newer.id}.json", (newer.files or {})["file"]]
    )
    # Versioning keeps what retention deleted, until a lifecycle rule expires it.
    versions = s3.list_object_versions(Bucket=BUCKET, Prefix=key)
    assert versions.get("DeleteMarkers") and versions.get("Versions")


@pytest.mark.django_db(transaction=True)
def test_a_failed_upload_is_alerted_kept_locally_and_retried(settings, s3, caplog, make_booking):
    make_booking()
    reachable = settings.BACKUP_S3_ENDPOINT_URL
    settings.BACKUP_S3_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens
    settings.BACKUP_KEEP, settings.BACKUP_KEEP_DAILY = 1, 0
    first = backup_run(actor="test")
    assert (first.offsite or {})["verified"] is False and (first.offsite or {})["attempts"] == 2
    assert "ALERT: off-site copy of backup" in caplog.text
    status = backup_status()
    assert not status.ok and any(
        f"off-site copy of {first.id} failed" in p for p in status.problems
    )
    second = backup_run(actor="test")
    assert {m.id for m in all_manifests()} == {first.id, second.id}  # neither pruned
    assert data_path(first).exists()

    settings.BACKUP_S3_ENDPOINT_URL = reachable
    sync = innkeeper("backup", "sync", **child_env(settings))
    assert sync.returncode == 0, sync.stdout + sync.stderr
    assert f"{first.id}  copied and verified" in sync.stdout
    backups_prune()
    assert [m.id for m in all_manifests()] == [second.id]  # now that both are off-site


@pytest.mark.django_db(transaction=True)
def test_restore_from_the_off_site_copy_when_the_local_one_is_gone(settings, s3, make_booking):
    booking = make_booking()
    manifest = backup_run(actor="test")
    for path in settings.BACKUP_DIR.iterdir():  # the machine's disk is lost
        path.unlink()
    Booking.objects.filter(pk=booking.pk).delete()
    restore = innkeeper(
        "backup",
        "restore",
        "--latest",
        "--offsite",
        "--confirm",
        database_name(),
        **child_env(settings),
    )
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert f"Downloaded backup {manifest.id}" in restore.stdout
    assert f"OK: restored backup {manifest.id}" in restore.stdout
    assert Booking.objects.get(pk=booking.pk).reference == booking.reference
    assert os.stat(settings.BACKUP_DIR / manifest.file).st_mode & 0o777 == 0o600
