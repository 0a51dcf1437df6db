"""Backup files and their manifests: `<id>.sqlite3.gz` or `<id>.pgdump` beside `<id>.json`.

Manifests are not trusted: one is used only if its name, id and file stay inside BACKUP_DIR
and its HMAC (keyed by BACKUP_HMAC_KEY, else a key derived from SECRET_KEY: never a file in
BACKUP_DIR) matches, so whoever can write to the backup folder cannot forge a backup that
`verify` or `restore` accepts, nor make `prune` delete a file elsewhere."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.crypto import salted_hmac

from innkeeper.core.errors import BackupFailed, InvalidInput, NotFound

logger = logging.getLogger("innkeeper.backups")

ID_FORMAT = "%Y%m%d-%H%M%S"
ID_PATTERN = re.compile(r"^\d{8}-\d{6}(-\d+)?$")
# What a backup file may be called: its id, a known suffix, optionally encrypted (.age).
DATA_SUFFIXES = (".sqlite3.gz", ".pgdump")
FILES_SUFFIX = ".files.tar.gz"  # media + non-secret settings (files.py)
ENCRYPTED_SUFFIX = ".age"
FILE_MODE = 0o600
DIR_MODE = 0o700


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
    encryption: dict[str, Any] | None = None  # {"format": "age", "recipients": [public keys]}
    plain_sha256: str = ""  # of the unencrypted dump, checked after decryption
    offsite: dict[str, Any] | None = None  # {"verified": bool, "key", "version_id", ...}
    # The media + settings archive: {"file", "size", "sha256", "plain_sha256", "media_files",
    # "media_bytes"}; None for backups taken before media were backed up.
    files: dict[str, Any] | None = None
    hmac: str = ""  # over every other field; set by write_manifest

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


def ensure_backup_dir() -> Path:
    """BACKUP_DIR, created private (0700) and made private if it was not."""
    folder = backup_dir()
    folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    folder.chmod(DIR_MODE)
    return folder


def manifest_path(backup_id: str) -> Path:
    if not ID_PATTERN.match(backup_id):
        raise BackupFailed(f"'{backup_id}' is not a backup id; refusing to build a path from it.")
    return backup_dir() / f"{backup_id}.json"


def file_name_problem(backup_id: str, name: str) -> str | None:
    """Why `name` is not an acceptable data file for backup `backup_id` (None: it is)."""
    allowed = {f"{backup_id}{suffix}" for suffix in DATA_SUFFIXES}
    allowed |= {f"{name}{ENCRYPTED_SUFFIX}" for name in allowed}
    if name not in allowed:
        return f"file '{name}' is not '<id>.sqlite3.gz', '<id>.pgdump' (+ '.age') in BACKUP_DIR"
    return None


def files_name_problem(backup_id: str, name: str) -> str | None:
    """Why `name` is not an acceptable media/settings archive for backup `backup_id`."""
    plain = f"{backup_id}{FILES_SUFFIX}"
    if name not in (plain, f"{plain}{ENCRYPTED_SUFFIX}"):
        return f"files archive '{name}' is not '<id>{FILES_SUFFIX}' (+ '.age') in BACKUP_DIR"
    return None


def files_path(manifest: Manifest, folder: Path | None = None) -> Path | None:
    """The manifest's media/settings archive (None: the backup has none), checked like
    data_path: its name is fixed by the id and it must not be a symlink."""
    if manifest.files is None:
        return None
    name = str(manifest.files.get("file", ""))
    problem = files_name_problem(manifest.id, name)
    if problem:
        raise BackupFailed(f"Backup {manifest.id}: {problem}.")
    path = (folder or backup_dir()) / name
    if path.is_symlink():
        raise BackupFailed(f"Backup {manifest.id}: {path} is a symlink; refusing to follow it.")
    return path


def data_path(manifest: Manifest, folder: Path | None = None) -> Path:
    """The manifest's data file, refused if it would lead outside BACKUP_DIR (a symlink too).
    `folder`: a private temporary folder holding a downloaded copy (the off-site drill)."""
    problem = file_name_problem(manifest.id, manifest.file)
    if problem:
        raise BackupFailed(f"Backup {manifest.id}: {problem}.")
    path = (folder or backup_dir()) / manifest.file
    if path.is_symlink():
        raise BackupFailed(f"Backup {manifest.id}: {path} is a symlink; refusing to follow it.")
    return path


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


def manifest_mac(data: dict[str, Any]) -> str:
    """HMAC-SHA256 over the canonical JSON of every field but `hmac` itself."""
    body = json.dumps({k: v for k, v in data.items() if k != "hmac"}, sort_keys=True)
    secret = settings.BACKUP_HMAC_KEY or None  # None: derived from SECRET_KEY (salted)
    return salted_hmac(
        "innkeeper.backups.manifest", body, secret=secret, algorithm="sha256"
    ).hexdigest()


def write_private(path: Path, text: str) -> None:
    """Write atomically (temp file + rename) with mode 0600 whatever the umask."""
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "w") as stream:
        stream.write(text)
    temporary.chmod(FILE_MODE)  # an older temp file may have had other bits
    os.replace(temporary, path)


def write_manifest(manifest: Manifest) -> None:
    """Sign and write atomically: a crash never leaves half a manifest."""
    manifest.hmac = manifest_mac(manifest.as_dict())
    write_private(
        manifest_path(manifest.id), json.dumps(manifest.as_dict(), indent=2, sort_keys=True)
    )


@dataclass(frozen=True)
class Refused:
    """A manifest that is not used, and why (shown by list and status)."""

    name: str
    reason: str


def _trust_problem(path: Path, data: dict[str, Any]) -> str | None:
    backup_id = str(data.get("id", ""))
    if not ID_PATTERN.match(backup_id) or path.name != f"{backup_id}.json":
        return f"its id '{backup_id}' is not a backup id matching the file name"
    problem = file_name_problem(backup_id, str(data.get("file", "")))
    if problem:
        return problem
    files = data.get("files")
    if files is not None:
        if not isinstance(files, dict):
            return "its files entry is not an object"
        problem = files_name_problem(backup_id, str(files.get("file", "")))
        if problem:
            return problem
    if not hmac.compare_digest(str(data.get("hmac", "")), manifest_mac(data)):
        return "its HMAC does not match (changed, or signed with another BACKUP_HMAC_KEY)"
    return None


def read_manifest(path: Path) -> Manifest | Refused:
    try:
        if path.is_symlink():
            return Refused(path.name, "it is a symlink")
        data = json.loads(path.read_text())
        if not isinstance(data, dict):
            return Refused(path.name, "it is not a JSON object")
        problem = _trust_problem(path, data)
        return Refused(path.name, problem) if problem else Manifest(**data)
    except (OSError, ValueError, TypeError) as error:
        return Refused(path.name, f"it is not a readable manifest ({type(error).__name__})")


def scan_manifests() -> tuple[list[Manifest], list[Refused]]:
    """(trusted manifests oldest first, refused ones) in BACKUP_DIR."""
    folder = backup_dir()
    if not folder.is_dir():
        return [], []
    found = [read_manifest(path) for path in sorted(folder.glob("*.json"))]
    refused = [item for item in found if isinstance(item, Refused)]
    for item in refused:
        logger.warning("backup manifest %s refused: %s", item.name, item.reason)
    trusted = [item for item in found if isinstance(item, Manifest)]
    return sorted(trusted, key=lambda m: (m.created_at, m.id)), refused


def all_manifests() -> list[Manifest]:
    """Every trusted manifest in BACKUP_DIR, oldest first."""
    return scan_manifests()[0]


def find_backup(*, backup_id: str | None = None, on_date: str | None = None) -> Manifest:
    """One backup by id, the newest of a day (YYYY-MM-DD, UTC), or the newest of all.

    By day or newest, safety backups taken by a restore are left out: a second
    `restore --latest` must not quietly undo the first. They are restored by id."""
    manifests, refused = scan_manifests()
    if backup_id:
        for item in refused:
            if item.name == f"{backup_id}.json":
                raise BackupFailed(f"Backup {backup_id} is refused: {item.reason}.")
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
