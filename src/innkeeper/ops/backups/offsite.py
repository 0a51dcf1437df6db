"""Off-site copies in S3-compatible storage (BACKUP_S3_BUCKET): each backup is uploaded after
its local checksum and HMAC are checked, S3's SHA-256 of what it stored is compared with ours,
the signed manifest goes beside it, and the result is recorded in the local manifest. A local
backup whose off-site copy is not verified is never pruned (retention.py).

Bucket versioning is switched on where the store allows it, so an overwritten or deleted
object keeps its older versions (expire them with a lifecycle rule, RUNBOOK)."""

from __future__ import annotations

import base64
import hashlib
import logging
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.utils import timezone

from innkeeper.core.errors import BackupFailed, NotFound
from innkeeper.ops.backups import retention
from innkeeper.ops.backups.manifest import (
    FILE_MODE,
    Manifest,
    all_manifests,
    data_path,
    ensure_backup_dir,
    file_name_problem,
    files_name_problem,
    files_path,
    manifest_path,
    read_manifest,
    sha256_of,
    write_manifest,
)
from innkeeper.ops.backups.verify import checksum_problem

logger = logging.getLogger("innkeeper.backups")
S3Errors = (BotoCoreError, ClientError, OSError)


def offsite_enabled() -> bool:
    return bool(settings.BACKUP_S3_BUCKET)


def _client() -> Any:
    return boto3.client(
        "s3",
        endpoint_url=settings.BACKUP_S3_ENDPOINT_URL or None,
        region_name=settings.BACKUP_S3_REGION or None,
        config=Config(connect_timeout=5, read_timeout=120, retries={"max_attempts": 2}),
    )


def _key(name: str) -> str:
    return f"{settings.BACKUP_S3_PREFIX}{name}"


def _b64(hexdigest: str) -> str:
    return base64.b64encode(bytes.fromhex(hexdigest)).decode()


def ensure_versioning(client: Any) -> str:
    """Switch bucket versioning on; returns the status (or why it could not be set)."""
    bucket = settings.BACKUP_S3_BUCKET
    try:
        status = client.get_bucket_versioning(Bucket=bucket).get("Status", "")
        if status != "Enabled":
            client.put_bucket_versioning(
                Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}
            )
        return "Enabled"
    except ClientError as error:  # some S3-compatible stores have no versioning
        logger.warning("bucket %s: versioning not available: %s", bucket, error)
        return f"unavailable ({error.response.get('Error', {}).get('Code', '?')})"


LOCK_MODES = ("GOVERNANCE", "COMPLIANCE")


def object_lock(client: Any) -> dict[str, Any]:
    """The Object Lock arguments for a put_object (retention BACKUP_S3_LOCK_DAYS from now), or
    {} when locking is off or the bucket was not created with Object Lock (logged: a bucket
    cannot be given it afterwards on every store, so the operator must choose)."""
    days = settings.BACKUP_S3_LOCK_DAYS
    if days <= 0:
        return {}
    mode = settings.BACKUP_S3_LOCK_MODE.upper()
    if mode not in LOCK_MODES:
        raise BackupFailed(f"BACKUP_S3_LOCK_MODE is {mode!r}: use GOVERNANCE or COMPLIANCE.")
    try:
        config = client.get_object_lock_configuration(Bucket=settings.BACKUP_S3_BUCKET)
        enabled = config["ObjectLockConfiguration"].get("ObjectLockEnabled") == "Enabled"
    except ClientError as error:  # ObjectLockConfigurationNotFoundError: a bucket without it
        logger.warning("bucket %s has no Object Lock: %s", settings.BACKUP_S3_BUCKET, error)
        enabled = False
    if not enabled:
        return {}
    until = timezone.now() + timedelta(days=days)
    return {"ObjectLockMode": mode, "ObjectLockRetainUntilDate": until}


def _lock_record(lock: dict[str, Any]) -> dict[str, Any] | str:
    if not lock:
        return "off" if settings.BACKUP_S3_LOCK_DAYS <= 0 else "unavailable (bucket has no lock)"
    return {
        "mode": lock["ObjectLockMode"],
        "retain_until": lock["ObjectLockRetainUntilDate"].isoformat(),
    }


def _locked_until(client: Any, key: str) -> datetime | None:
    """When the Object Lock on the current version of `key` ends (None: not locked now)."""
    head = client.head_object(Bucket=settings.BACKUP_S3_BUCKET, Key=key)
    until = head.get("ObjectLockRetainUntilDate")
    return until if until is not None and until > timezone.now() else None


def _remote_sha256(client: Any, key: str) -> str:
    """S3's SHA-256 of the stored object (base64), or ours of a download when it has none."""
    head = client.head_object(Bucket=settings.BACKUP_S3_BUCKET, Key=key, ChecksumMode="ENABLED")
    if head.get("ChecksumSHA256"):
        return str(head["ChecksumSHA256"])
    digest = hashlib.sha256()
    body = client.get_object(Bucket=settings.BACKUP_S3_BUCKET, Key=key)["Body"]
    for chunk in iter(lambda: body.read(1024 * 1024), b""):
        digest.update(chunk)
    return base64.b64encode(digest.digest()).decode()


def _put_verified(
    client: Any, path: Path, name: str, sha256: str, lock: dict[str, Any]
) -> dict[str, Any]:
    """Upload one file (locked with `lock`); S3 refuses it if the bytes differ from `sha256`,
    and the stored object's checksum is compared again afterwards."""
    key = _key(name)
    with path.open("rb") as body:
        put = client.put_object(
            Bucket=settings.BACKUP_S3_BUCKET,
            Key=key,
            Body=body,
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=_b64(sha256),
            **lock,
        )
    remote = _remote_sha256(client, key)
    if remote != _b64(sha256):
        raise BackupFailed(f"off-site copy of {name} has another checksum ({remote})")
    return dict(put)


def _upload_once(client: Any, manifest: Manifest) -> dict[str, Any]:
    bucket, key = settings.BACKUP_S3_BUCKET, _key(manifest.file)
    versioning = ensure_versioning(client)
    lock = object_lock(client)
    put = _put_verified(client, data_path(manifest), manifest.file, manifest.sha256, lock)
    archive = files_path(manifest)
    if archive is not None and manifest.files is not None:
        _put_verified(client, archive, archive.name, str(manifest.files["sha256"]), lock)
    manifest_key = _key(f"{manifest.id}.json")
    signed = manifest_path(manifest.id).read_bytes()
    client.put_object(
        Bucket=bucket, Key=manifest_key, Body=signed, ChecksumAlgorithm="SHA256", **lock
    )
    return {
        "lock": _lock_record(lock),
        "verified": True,
        "bucket": bucket,
        "key": key,
        "version_id": put.get("VersionId"),
        "versioning": versioning,
        "uploaded_at": timezone.now().isoformat(),
    }


def offsite_upload(manifest: Manifest) -> bool:
    """Upload one backup (BACKUP_S3_ATTEMPTS tries with backoff); the outcome is written into
    its manifest. A final failure is logged as an ALERT and shown by `backup status`."""
    problem = checksum_problem(manifest)
    # A failed drill of the local file forbids the upload; one of the off-site copy (damaged
    # in the bucket) does not: uploading the checked local file again is the repair.
    local_drill = (manifest.verification or {}).get("source", "local") == "local"
    if problem or (manifest.verified is False and local_drill):
        raise BackupFailed(f"Not uploading backup {manifest.id}: {problem or 'its drill failed'}.")
    client = _client()
    attempts = max(1, settings.BACKUP_S3_ATTEMPTS)
    error: Exception | None = None
    for attempt in range(1, attempts + 1):
        try:
            manifest.offsite = _upload_once(client, manifest)
            write_manifest(manifest)
            logger.info("backup %s copied off-site to %s", manifest.id, manifest.offsite["key"])
            return True
        except (*S3Errors, BackupFailed) as failure:
            error = failure
            if attempt < attempts:
                time.sleep(settings.BACKUP_S3_RETRY_SECONDS * 2 ** (attempt - 1))
    manifest.offsite = {
        "verified": False,
        "error": f"{type(error).__name__}: {error}",
        "attempts": attempts,
        "failed_at": timezone.now().isoformat(),
    }
    write_manifest(manifest)
    logger.error(
        "ALERT: off-site copy of backup %s failed after %d attempt(s): %s",
        manifest.id,
        attempts,
        error,
    )
    return False


def offsite_sync() -> dict[str, bool]:
    """Upload every local backup not yet verified off-site (earlier failures are retried);
    then apply retention to the remote copies. {backup id: uploaded}."""
    pending = [m for m in all_manifests() if not (m.offsite or {}).get("verified")]
    results = {m.id: offsite_upload(m) for m in pending}
    if all(results.values()):
        offsite_prune()
    return results


def _remote_manifests(client: Any) -> list[Manifest]:
    """The trusted manifests in the bucket (name, paths and HMAC checked as for local ones)."""
    bucket, prefix = settings.BACKUP_S3_BUCKET, settings.BACKUP_S3_PREFIX
    found: list[Manifest] = []
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    with tempfile.TemporaryDirectory(prefix="innkeeper-offsite-") as work:
        for page in pages:
            for item in page.get("Contents", []):
                name = str(item["Key"]).removeprefix(prefix)
                if "/" in name or not name.endswith(".json"):
                    continue
                local = Path(work) / name
                client.download_file(bucket, item["Key"], str(local))
                parsed = read_manifest(local)
                if isinstance(parsed, Manifest):
                    found.append(parsed)
                else:
                    logger.warning("off-site manifest %s refused: %s", name, parsed.reason)
    return sorted(found, key=lambda m: (m.created_at, m.id))


def offsite_prune() -> list[str]:
    """Delete remote backups no retention tier keeps (same tiers as local ones)."""
    from innkeeper.ops.backups.schedule import schedule_zone

    client = _client()
    remote = _remote_manifests(client)
    policy = retention.Policy.from_settings()
    kept = retention.kept(remote, now=timezone.now(), zone=schedule_zone(), policy=policy)
    removed = []
    for manifest in remote:
        if manifest.id in kept or file_name_problem(manifest.id, manifest.file):
            continue
        locked = _locked_until(client, _key(manifest.file))
        if locked is not None:  # retention waits for the lock: a delete would only hide it
            logger.info("off-site backup %s is locked until %s: kept", manifest.id, locked)
            continue
        names = [manifest.file, f"{manifest.id}.json"]
        if manifest.files and not files_name_problem(manifest.id, str(manifest.files["file"])):
            names.append(str(manifest.files["file"]))
        for name in names:
            client.delete_object(Bucket=settings.BACKUP_S3_BUCKET, Key=_key(name))
        removed.append(manifest.id)
    if removed:
        logger.info("pruned %d off-site backup(s): %s", len(removed), ", ".join(removed))
    return removed


def _download_verified(client: Any, name: str, target: Path, sha256: str) -> None:
    partial = target.with_name(target.name + ".partial")
    try:
        client.download_file(settings.BACKUP_S3_BUCKET, _key(name), str(partial))
        partial.chmod(FILE_MODE)
        if sha256_of(partial) != sha256:
            raise BackupFailed(f"The off-site copy of {name} has another checksum.")
        partial.rename(target)
    except S3Errors as error:
        raise BackupFailed(f"Downloading {name} failed: {error}") from error
    finally:
        partial.unlink(missing_ok=True)


def offsite_pull(backup_id: str | None = None) -> Manifest:
    """Download one backup (by id, else the newest that is not a safety copy) into BACKUP_DIR:
    the manifest's HMAC and the file's checksum are checked before it is used."""
    client = _client()
    try:
        remote = _remote_manifests(client)
    except S3Errors as error:
        raise BackupFailed(f"Cannot list the off-site backups: {error}") from error
    chosen = (
        [m for m in remote if m.id == backup_id]
        if backup_id
        else [m for m in remote if m.kind != "pre-restore"]
    )
    if not chosen:
        raise NotFound(
            f"No off-site backup {backup_id or 'at all'} in {settings.BACKUP_S3_BUCKET}."
        )
    manifest = chosen[-1]
    ensure_backup_dir()
    _download_verified(client, manifest.file, data_path(manifest), manifest.sha256)
    archive = files_path(manifest)
    if archive is not None and manifest.files is not None:
        _download_verified(client, archive.name, archive, str(manifest.files["sha256"]))
    manifest.offsite = {
        "verified": True,
        "bucket": settings.BACKUP_S3_BUCKET,
        "key": _key(manifest.file),
        "pulled_at": timezone.now().isoformat(),
    }
    write_manifest(manifest)
    return manifest


def offsite_drill(key_file: Path | None) -> dict[str, Any]:
    """The restore drill on the OFF-SITE copy of the newest backup: downloaded into a private
    temporary folder (checksums checked), decrypted with `key_file`, restored into a scratch
    database and checked (verify.py). The local files are not read, so a drill passes only if
    the bucket holds a restorable backup. The result is recorded in the local manifest (the
    remote one's, on a drill host that has no local copy). {"backup", "ok", ...}."""
    from innkeeper.ops.backups.verify import backup_verify

    client = _client()
    try:
        remote = [m for m in _remote_manifests(client) if m.kind != "pre-restore"]
    except S3Errors as error:
        raise BackupFailed(f"Cannot list the off-site backups: {error}") from error
    if not remote:
        raise NotFound(f"No off-site backup in {settings.BACKUP_S3_BUCKET} to drill.")
    newest = remote[-1]
    if newest.encryption and key_file is None:
        return {"backup": newest.id, "ok": None, "skipped": "no BACKUP_PRIVATE_KEY_FILE"}
    local = {m.id: m for m in all_manifests()}.get(newest.id)
    if local is None:  # a drill host: keep the remote manifest, with where it came from
        ensure_backup_dir()
        newest.offsite = {"verified": True, "bucket": settings.BACKUP_S3_BUCKET}
        local = newest
    source = f"off-site s3://{settings.BACKUP_S3_BUCKET}/{_key(newest.file)}"
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="innkeeper-drill-") as work:  # 0700
        folder = Path(work)
        try:
            _download_verified(client, newest.file, data_path(newest, folder), newest.sha256)
            archive = files_path(newest, folder)
            if archive is not None and newest.files is not None:
                _download_verified(client, archive.name, archive, str(newest.files["sha256"]))
        except BackupFailed as error:  # a finding of the drill: recorded like a failed restore
            return _download_failed(local, source, error.detail, started)
        result = backup_verify(manifest=local, key_file=key_file, folder=folder, source=source)
    return {"backup": newest.id, "ok": result["ok"], "problems": result["problems"]}


def _download_failed(
    manifest: Manifest, source: str, problem: str, started: float
) -> dict[str, Any]:
    manifest.verification = {
        "ok": False,
        "verified_at": timezone.now().isoformat(),
        "source": source,
        "checks": {"download": "failed"},
        "problems": [problem],
        "duration_seconds": round(time.monotonic() - started, 2),
    }
    if data_path(manifest).is_file():  # `backup sync` uploads the (checked) local copy again
        failed_at = timezone.now().isoformat()
        manifest.offsite = {"verified": False, "error": problem, "failed_at": failed_at}
    write_manifest(manifest)
    logger.error("backup %s off-site drill FAILED: %s", manifest.id, problem)
    return {"backup": manifest.id, "ok": False, "problems": [problem]}
