"""The scheduled restore drill restores the OFF-SITE copy (moto's S3 server) with the private
key, not the local file, and its result and duration show in `backup status`, the health
check and the metrics (issue 17 #6, #8). Both engines."""

from __future__ import annotations

import json

import pytest
from django_tasks_db.models import DBTaskResult

from innkeeper.ops.backups.crypto import keygen
from innkeeper.ops.backups.health import check_backups
from innkeeper.ops.backups.manifest import all_manifests, data_path
from innkeeper.ops.backups.services import backup_run
from innkeeper.ops.backups.tasks import restore_drill
from innkeeper.testing.backups import child_env
from innkeeper.testing.cli import innkeeper


@pytest.mark.django_db(transaction=True)
def test_the_drill_restores_the_off_site_copy_with_the_private_key(
    settings, s3, tmp_path, make_booking, client
):
    key = tmp_path / "drill.key"
    settings.BACKUP_PUBLIC_KEYS = [keygen(key)]
    make_booking()
    manifest = backup_run(actor="test")
    assert (manifest.offsite or {}).get("verified")
    # Damage the local copy: a drill of the local file would fail; the off-site one passes.
    local = data_path(manifest)
    local.write_bytes(b"not a backup")

    settings.BACKUP_PRIVATE_KEY_FILE = ""
    assert restore_drill.call()["ok"] is None  # no key on this host: skipped, not passed

    # The scheduled job, run by a real worker on a host that has the private key.
    env = child_env(settings, BACKUP_PUBLIC_KEYS=settings.BACKUP_PUBLIC_KEYS[0])
    restore_drill.enqueue()
    worker = innkeeper("worker", "--batch", BACKUP_PRIVATE_KEY_FILE=str(key), **env)
    assert worker.returncode == 0, worker.stdout + worker.stderr
    job = DBTaskResult.objects.get(task_path=restore_drill.module_path)
    assert job.status == "SUCCESSFUL", job.exception_class_path
    assert job.return_value == {"backup": manifest.id, "ok": True, "problems": []}
    assert local.read_bytes() == b"not a backup"  # the local file was neither read nor fixed
    drilled = {m.id: m for m in all_manifests()}[manifest.id]
    verification = drilled.verification or {}
    source = f"off-site s3://{settings.BACKUP_S3_BUCKET}/{settings.BACKUP_S3_PREFIX}"
    assert verification["source"] == f"{source}{manifest.file}"
    assert verification["checks"]["decrypt"] == "ok" and verification["duration_seconds"] > 0

    status = innkeeper("backup", "status", "--json", **env)
    shown = json.loads(status.stdout)["last_verification"]
    assert shown["ok"] is True and shown["source"] == verification["source"]
    assert shown["duration_seconds"] == verification["duration_seconds"]
    text = innkeeper("backup", "status", **env).stdout
    assert f"last restore drill: {manifest.id}" in text and "passed in" in text

    health = check_backups().details["last_drill"]
    assert health["ok"] is True and health["source"].startswith("off-site")
    assert health["duration_seconds"] == verification["duration_seconds"]
    settings.METRICS_CACHE_SECONDS = 0  # read now, not a scrape cached by another test
    metrics = client.get("/metrics").content.decode()
    seconds = verification["duration_seconds"]
    assert f"innkeeper_backup_last_drill_duration_seconds {float(seconds)}" in metrics
    assert "innkeeper_backup_last_drill_success 1.0" in metrics
    assert "innkeeper_backup_last_offsite_timestamp_seconds " in metrics


@pytest.mark.django_db(transaction=True)
def test_a_damaged_off_site_copy_fails_the_drill_and_status(settings, s3, tmp_path, make_booking):
    key = tmp_path / "drill.key"
    settings.BACKUP_PUBLIC_KEYS = [keygen(key)]
    settings.BACKUP_PRIVATE_KEY_FILE = str(key)
    make_booking()
    manifest = backup_run(actor="test")
    remote = f"{settings.BACKUP_S3_PREFIX}{manifest.file}"
    s3.put_object(Bucket=settings.BACKUP_S3_BUCKET, Key=remote, Body=b"tampered")

    result = restore_drill.call()
    assert result["ok"] is False
    assert "off-site copy" in result["problems"][0] and "another checksum" in result["problems"][0]
    env = child_env(settings, BACKUP_PUBLIC_KEYS=settings.BACKUP_PUBLIC_KEYS[0])
    env["BACKUP_PRIVATE_KEY_FILE"] = str(key)
    status = innkeeper("backup", "status", **env)
    assert status.returncode == 1, status.stdout + status.stderr
    assert f"the last restore drill ({manifest.id}) failed" in status.stderr
    assert f"off-site copy of {manifest.id} failed" in status.stderr
    by_hand = innkeeper("backup", "verify", "--offsite", "--key-file", str(key), **env)
    assert by_hand.returncode == 1 and "FAILED" in by_hand.stderr

    # The local copy is good: `backup sync` puts it off-site again, and the drill passes.
    sync = innkeeper("backup", "sync", **env)
    assert sync.returncode == 0 and f"{manifest.id}  copied and verified" in sync.stdout
    again = innkeeper("backup", "verify", "--offsite", "--key-file", str(key), **env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"OK: the off-site copy of {manifest.id} is restorable" in again.stdout
