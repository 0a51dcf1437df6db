"""Off-site copies against a real S3 API: moto's server in a subprocess on a free port, driven
by the real boto3 client (issue 17 #3 and the "from an off-site copy" half of #6)."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from innkeeper.bookings.models import Booking
from innkeeper.ops.backups.engines import database_name
from innkeeper.ops.backups.manifest import all_manifests, data_path
from innkeeper.ops.backups.selectors import backup_status, backup_times
from innkeeper.ops.backups.services import backup_run, backups_prune
from innkeeper.ops.tests.cli import innkeeper

HMAC_KEY = "offsite-test-hmac-key-0123456789"
BUCKET = "hotel-backups"
AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One moto S3 server for the module."""
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(endpoint, timeout=5)
                break
            except requests.RequestException:  # not listening yet, or slow to answer
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"moto_server did not start on {endpoint}")
                time.sleep(0.2)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture
def s3(settings: Any, monkeypatch: Any, backup_dir: Path, s3_endpoint: str) -> Any:
    for name, value in AWS.items():
        monkeypatch.setenv(name, value)
    settings.BACKUP_HMAC_KEY = HMAC_KEY
    settings.BACKUP_S3_BUCKET = BUCKET
    settings.BACKUP_S3_ENDPOINT_URL = s3_endpoint
    settings.BACKUP_S3_PREFIX = f"t{time.monotonic_ns()}/"  # one folder per test
    settings.BACKUP_S3_RETRY_SECONDS = 0.0
    settings.BACKUP_S3_ATTEMPTS = 2
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    if BUCKET not in {b["Name"] for b in client.list_buckets()["Buckets"]}:
        client.create_bucket(Bucket=BUCKET)
    return client


def child_env(settings: Any, **extra: str) -> dict[str, str]:
    return {
        **AWS,
        "BACKUP_DIR": str(settings.BACKUP_DIR),
        "BACKUP_HMAC_KEY": HMAC_KEY,
        "BACKUP_S3_BUCKET": BUCKET,
        "BACKUP_S3_ENDPOINT_URL": settings.BACKUP_S3_ENDPOINT_URL,
        "BACKUP_S3_PREFIX": settings.BACKUP_S3_PREFIX,
        "BACKUP_S3_RETRY_SECONDS": "0",
        **extra,
    }


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
