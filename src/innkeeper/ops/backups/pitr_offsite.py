"""The pgBackRest repository (backups + WAL archive) copied to the off-site bucket.

Why not pgBackRest's own `repo1-type=s3`: it speaks HTTPS only (no version supports plain-HTTP
S3, pgbackrest/pgbackrest#2612), so it cannot be exercised against a local moto server, and a
second innkeeper code path would need its own credentials file. Instead the local repository
(BACKUP_PITR_REPO) is mirrored under `<BACKUP_S3_PREFIX>pgbackrest/` with boto3 after each
pgBackRest backup and by the scheduler's `ops.pitr_sync` job (every minute, pitr_tasks.py):
new or changed files are uploaded with their SHA-256 checked by S3, nothing is deleted remotely
(bucket versioning and lifecycle rules expire old objects). To recover from it, download the
prefix into BACKUP_PITR_REPO (RUNBOOK) and run `backup restore --to-time`."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings

from innkeeper.ops.backups import offsite

logger = logging.getLogger("innkeeper.backups")
SKIPPED = ("log", "lock")  # pgBackRest's own logs and lock files: not part of the repository


def repo_prefix() -> str:
    return f"{settings.BACKUP_S3_PREFIX}pgbackrest/"


def _repo_files(repo: Path) -> list[Path]:
    return sorted(
        p
        for p in repo.rglob("*")
        if p.is_file() and not p.is_symlink() and p.relative_to(repo).parts[0] not in SKIPPED
    )


def _remote_sizes(client: Any) -> dict[str, tuple[int, str]]:
    """{key: (size, ETag)} of what is already off-site under the repository prefix."""
    found: dict[str, tuple[int, str]] = {}
    pages = client.get_paginator("list_objects_v2").paginate(
        Bucket=settings.BACKUP_S3_BUCKET, Prefix=repo_prefix()
    )
    for page in pages:
        for item in page.get("Contents", []):
            found[str(item["Key"])] = (int(item["Size"]), str(item["ETag"]).strip('"'))
    return found


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)  # compared with S3's ETag of a single PUT
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def pitr_repo_sync() -> dict[str, int]:
    """Upload the repository files that are new or changed; {"uploaded": n, "unchanged": m}."""
    repo = Path(settings.BACKUP_PITR_REPO)
    client = offsite._client()  # the same S3 client configuration as the backups
    remote = _remote_sizes(client)
    lock = offsite.object_lock(client)  # the WAL archive is locked like the backups
    uploaded = unchanged = 0
    for path in _repo_files(repo):
        key = f"{repo_prefix()}{path.relative_to(repo).as_posix()}"
        size, etag = remote.get(key, (-1, ""))
        if size == path.stat().st_size and etag == _md5(path):
            unchanged += 1
            continue
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        with path.open("rb") as body:
            client.put_object(
                Bucket=settings.BACKUP_S3_BUCKET,
                Key=key,
                Body=body,
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=offsite._b64(sha256),  # S3 refuses other bytes
                **lock,
            )
        uploaded += 1
    logger.info("pgBackRest repository off-site: %d uploaded, %d unchanged", uploaded, unchanged)
    return {"uploaded": uploaded, "unchanged": unchanged}


def _make_parents(root: Path, target: Path, owner: str) -> None:
    """Create the folders between `root` and `target` (top one first), owned by `owner`."""
    missing = [p for p in target.relative_to(root).parents if p != Path(".")]
    for relative in reversed(missing):
        folder = root / relative
        if not folder.exists():
            folder.mkdir(mode=0o750)
            if owner:
                shutil.chown(folder, owner, owner)


def pitr_repo_pull() -> int:
    """Download the off-site repository into BACKUP_PITR_REPO (a new host, or a lost disk);
    files are owned by BACKUP_PITR_RUN_AS, as pgBackRest needs. Returns the number of files."""
    repo = Path(settings.BACKUP_PITR_REPO)
    client = offsite._client()
    owner = settings.BACKUP_PITR_RUN_AS if os.getuid() == 0 else ""
    _make_parents(repo.parent, repo / "x", owner)
    count = 0
    for key in sorted(_remote_sizes(client)):
        relative = PurePosixPath(key.removeprefix(repo_prefix()))
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            continue  # never write outside the repository
        target = repo.joinpath(*relative.parts)
        _make_parents(repo, target, owner)
        client.download_file(settings.BACKUP_S3_BUCKET, key, str(target))
        if owner:
            shutil.chown(target, owner, owner)
        count += 1
    return count
