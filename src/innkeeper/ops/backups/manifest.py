"""Backup files and their manifests: `<id>.sqlite3.gz` or `<id>.pgdump` beside `<id>.json`."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from innkeeper.core.errors import InvalidInput, NotFound

ID_FORMAT = "%Y%m%d-%H%M%S"
ID_PATTERN = re.compile(r"^\d{8}-\d{6}(-\d+)?$")


@dataclass
class Manifest:
    id: str
    engine: str  # "sqlite" | "postgresql"
    database: str
    file: str
    created_at: str  # ISO 8601, UTC
    size: int
    sha256: str
    kind: str = "manual"  # manual | scheduled | pre-restore
    migrations: dict[str, str] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)
    tool: str = ""  # e.g. "pg_dump (PostgreSQL) 15.2" or "sqlite3 3.45.1"
    verification: dict[str, Any] | None = None

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.created_at)

    @property
    def verified(self) -> bool | None:
        """True/False once a drill ran on this backup, None before."""
        return None if self.verification is None else bool(self.verification.get("ok"))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


def manifest_path(backup_id: str) -> Path:
    return backup_dir() / f"{backup_id}.json"


def data_path(manifest: Manifest) -> Path:
    return backup_dir() / manifest.file


def new_backup_id(now: datetime) -> str:
    """A sortable id from the time; a suffix when two backups share a second."""
    base = now.strftime(ID_FORMAT)
    candidate, n = base, 1
    while manifest_path(candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(manifest: Manifest) -> None:
    """Write atomically (temp file + rename): a crash never leaves half a manifest."""
    path = manifest_path(manifest.id)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(manifest.as_dict(), indent=2, sort_keys=True))
    os.replace(temporary, path)


def read_manifest(path: Path) -> Manifest | None:
    try:
        return Manifest(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None  # not ours, or damaged: listed nowhere rather than crashing the listing


def all_manifests() -> list[Manifest]:
    """Every readable manifest in BACKUP_DIR, oldest first."""
    folder = backup_dir()
    if not folder.is_dir():
        return []
    found = [read_manifest(path) for path in folder.glob("*.json")]
    return sorted((m for m in found if m is not None), key=lambda m: (m.created_at, m.id))


def find_backup(*, backup_id: str | None = None, on_date: str | None = None) -> Manifest:
    """One backup by id, the newest of a day (YYYY-MM-DD, UTC), or the newest of all.

    By day or newest, safety backups taken by a restore are left out: a second
    `restore --latest` must not quietly undo the first. They are restored by id."""
    manifests = all_manifests()
    if not backup_id:
        manifests = [m for m in manifests if m.kind != "pre-restore"]
    if backup_id:
        if not ID_PATTERN.match(backup_id):
            raise InvalidInput(f"'{backup_id}' is not a backup id (like 20260126-031500).")
        chosen = [m for m in manifests if m.id == backup_id]
    elif on_date:
        try:
            day = date.fromisoformat(on_date)
        except ValueError as error:
            raise InvalidInput(f"--date wants YYYY-MM-DD, not '{on_date}'.") from error
        chosen = [m for m in manifests if m.created.date() == day]
    else:
        chosen = manifests
    if not chosen:
        where = backup_dir()
        what = backup_id or (f"from {on_date}" if on_date else "at all")
        raise NotFound(f"No backup {what} in {where} (see `innkeeper backup list`).")
    return chosen[-1]
