"""S3 Object Lock on the off-site copies (issue 17 #3), against moto's S3 server: where the
bucket has Object Lock, every uploaded object is retained BACKUP_S3_LOCK_DAYS in the chosen
mode, nobody can delete that version meanwhile, and remote retention leaves locked backups in
place; a bucket without it is reported, and uploads go on."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from django.utils import timezone

from innkeeper.ops.backups.offsite import _remote_manifests, offsite_prune
from innkeeper.ops.backups.services import backup_run

LOCKED_BUCKET = "hotel-backups-locked"


@pytest.fixture
def locked_bucket(s3, settings):
    names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    if LOCKED_BUCKET not in names:
        s3.create_bucket(Bucket=LOCKED_BUCKET, ObjectLockEnabledForBucket=True)
    settings.BACKUP_S3_BUCKET = LOCKED_BUCKET
    settings.BACKUP_S3_LOCK_DAYS = 7
    settings.BACKUP_S3_LOCK_MODE = "COMPLIANCE"
    return LOCKED_BUCKET


@pytest.mark.django_db(transaction=True)
def test_off_site_copies_are_locked_and_retention_waits_for_the_lock(
    settings, s3, locked_bucket, make_booking
):
    make_booking()
    first = backup_run(actor="test")
    lock = (first.offsite or {})["lock"]
    assert lock["mode"] == "COMPLIANCE"
    names = [first.file, (first.files or {})["file"], f"{first.id}.json"]
    for name in names:
        head = s3.head_object(Bucket=locked_bucket, Key=f"{settings.BACKUP_S3_PREFIX}{name}")
        assert head["ObjectLockMode"] == "COMPLIANCE"
        left = head["ObjectLockRetainUntilDate"] - timezone.now()
        assert timedelta(days=6, hours=23) < left <= timedelta(days=7)
    key = f"{settings.BACKUP_S3_PREFIX}{first.file}"
    version = s3.head_object(Bucket=locked_bucket, Key=key)["VersionId"]
    with pytest.raises(ClientError) as refused:  # not even the owner, in COMPLIANCE mode
        s3.delete_object(Bucket=locked_bucket, Key=key, VersionId=version)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"

    # Retention would drop the first backup (keep the newest only): locked, it stays.
    settings.BACKUP_KEEP, settings.BACKUP_KEEP_DAILY = 1, 0
    settings.BACKUP_KEEP_WEEKLY = settings.BACKUP_KEEP_MONTHLY = 0
    newer = backup_run(actor="test")
    remote = [m.id for m in _remote_manifests(s3)]
    assert remote == [first.id, newer.id]
    assert offsite_prune() == []

    # Once the lock has run out (GOVERNANCE lets a privileged user shorten it), it goes.
    settings.BACKUP_S3_LOCK_MODE = "GOVERNANCE"
    past = timezone.now() + timedelta(seconds=1)
    for name in names:
        s3.put_object_retention(
            Bucket=locked_bucket,
            Key=f"{settings.BACKUP_S3_PREFIX}{name}",
            Retention={"Mode": "GOVERNANCE", "RetainUntilDate": past},
            BypassGovernanceRetention=True,
        )
    settings.BACKUP_S3_LOCK_DAYS = 0
    wait = (past - timezone.now()).total_seconds() + 0.5
    time.sleep(max(0.0, wait))
    assert offsite_prune() == [first.id]
    assert [m.id for m in _remote_manifests(s3)] == [newer.id]


@pytest.mark.django_db(transaction=True)
def test_a_bucket_without_object_lock_is_reported_and_uploads_go_on(
    settings, s3, make_booking, caplog
):
    settings.BACKUP_S3_LOCK_DAYS = 7
    make_booking()
    manifest = backup_run(actor="test")
    record = manifest.offsite or {}
    assert record["verified"] is True
    assert record["lock"] == "unavailable (bucket has no lock)"
    assert f"bucket {settings.BACKUP_S3_BUCKET} has no Object Lock" in caplog.text
    head = s3.head_object(
        Bucket=settings.BACKUP_S3_BUCKET, Key=f"{settings.BACKUP_S3_PREFIX}{manifest.file}"
    )
    assert "ObjectLockMode" not in head


def test_an_unknown_lock_mode_is_refused_clearly(settings, s3):
    from innkeeper.core.errors import BackupFailed
    from innkeeper.ops.backups.offsite import object_lock

    settings.BACKUP_S3_LOCK_DAYS = 7
    settings.BACKUP_S3_LOCK_MODE = "forever"
    with pytest.raises(BackupFailed) as refused:
        object_lock(s3)
    assert "BACKUP_S3_LOCK_MODE is 'FOREVER': use GOVERNANCE or COMPLIANCE" in refused.value.detail
