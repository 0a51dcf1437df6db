"""Media and configuration beside each database backup: `<id>.files.tar.gz` (+ `.age`) holds
MEDIA_ROOT (room photos, receipts) under `media/` and the non-secret settings as
`settings.json`. It rides the database backup's manifest (HMAC), encryption and off-site copy,
and `backup restore` puts it back with the database.

Secrets stay out: settings whose name Django's error reporter would hide (KEY, SECRET, PASS,
TOKEN, ...) and URLs carrying a password are left out of `settings.json`, whose job is to tell
the operator of a new machine what the old one ran with, not to reconfigure it."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.views.debug import SafeExceptionReporterFilter

from innkeeper.core.errors import BackupFailed
from innkeeper.ops.backups.manifest import FILE_MODE, write_private

SETTINGS_MEMBER = "settings.json"
MEDIA_MEMBER = "media"
RESTORED_SETTINGS = "restored-settings.json"
_URL_WITH_PASSWORD = re.compile(r"://[^/@\s]*:[^/@\s]*@")
_HIDDEN = SafeExceptionReporterFilter.hidden_settings


class _Drop(Exception):
    """A value that is not plain data, or may hold a secret: left out."""


def _plain(value: Any) -> Any:
    """A JSON-able copy of a settings value; _Drop when it is not plain data or may hold a
    secret (a nested key like PASSWORD, a URL with credentials)."""
    if isinstance(value, str):
        if _URL_WITH_PASSWORD.search(value):
            raise _Drop
        return value
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if not _HIDDEN.search(str(k))}
    raise _Drop


def settings_snapshot() -> dict[str, Any]:
    """The non-secret settings, by name (secrets and non-data values left out)."""
    snapshot: dict[str, Any] = {}
    for name in dir(settings):
        if not name.isupper() or _HIDDEN.search(name):
            continue
        try:
            snapshot[name] = _plain(getattr(settings, name))
        except _Drop:
            continue
    return snapshot


def _media_files(root: Path) -> list[Path]:
    """Regular files under MEDIA_ROOT; symlinks are neither followed nor stored."""
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not (Path(folder) / d).is_symlink())
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def write_files_archive(target: Path) -> dict[str, int]:
    """Write the media + settings archive into `target` (which exists, 0600)."""
    root = Path(settings.MEDIA_ROOT)
    media = _media_files(root) if root.is_dir() else []
    body = json.dumps(settings_snapshot(), indent=2, sort_keys=True).encode()
    # Level 1: photos and PDFs are compressed already; gzip only for the JSON and odd files.
    with tarfile.open(target, "w:gz", compresslevel=1) as archive:
        info = tarfile.TarInfo(SETTINGS_MEMBER)
        info.size, info.mode = len(body), FILE_MODE
        archive.addfile(info, io.BytesIO(body))
        for path in media:
            name = f"{MEDIA_MEMBER}/{path.relative_to(root).as_posix()}"
            archive.add(path, arcname=name, recursive=False)
    return {"media_files": len(media), "media_bytes": sum(p.stat().st_size for p in media)}


@dataclass
class FilesRestore:
    media_files: int = 0
    settings_file: str = ""
    settings_differ: list[str] = field(default_factory=list)  # names whose value changed


def _extract(archive_path: Path, into: Path) -> dict[str, Any]:
    """Unpack with tarfile's "data" filter: no absolute paths, no `..`, no links out, no
    device files; returns the settings snapshot."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            members = [m for m in archive.getmembers() if m.name.startswith(f"{MEDIA_MEMBER}/")]
            archive.extractall(into, members=members, filter="data")
            handle = archive.extractfile(SETTINGS_MEMBER)
            snapshot = json.load(handle) if handle else {}
    except (tarfile.TarError, OSError, KeyError, ValueError) as error:
        message = f"{archive_path.name} is not a readable files archive: {error}"
        raise BackupFailed(message) from error
    return snapshot if isinstance(snapshot, dict) else {}


def _swap_media(new: Path, root: Path) -> None:
    """Put `new` where MEDIA_ROOT is with renames (same file system): the old folder is
    removed only once the new one is in place. A MEDIA_ROOT that is a mount point or a
    symlink is kept and its contents replaced instead."""
    if root.is_symlink() or root.is_mount():
        _replace_contents(new, root)
        return
    old = root.with_name(f".{root.name}.replaced")
    shutil.rmtree(old, ignore_errors=True)
    try:
        if root.exists():
            root.rename(old)
        new.rename(root)
    except OSError as error:
        raise BackupFailed(f"Putting the media back into {root} failed: {error}") from error
    shutil.rmtree(old, ignore_errors=True)


def _replace_contents(new: Path, root: Path) -> None:
    try:
        for child in root.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        shutil.copytree(new, root, dirs_exist_ok=True)
    except OSError as error:
        raise BackupFailed(f"Putting the media back into {root} failed: {error}") from error


def restore_files_archive(archive_path: Path) -> FilesRestore:
    """MEDIA_ROOT becomes the archive's media (what the backup's rows point to); the backup's
    settings go beside MEDIA_ROOT (var/restored-settings.json), the names that differ listed."""
    root = Path(settings.MEDIA_ROOT)
    root.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".media-restore-", dir=root.parent) as work:
        snapshot = _extract(archive_path, Path(work))
        unpacked = Path(work) / MEDIA_MEMBER
        unpacked.mkdir(exist_ok=True)
        count = sum(1 for p in unpacked.rglob("*") if p.is_file())
        _swap_media(unpacked, root)
    current = settings_snapshot()
    differ = sorted(name for name, value in snapshot.items() if current.get(name) != value)
    out = root.parent / RESTORED_SETTINGS  # var/ by default; never inside MEDIA_ROOT (served)
    write_private(out, json.dumps(snapshot, indent=2, sort_keys=True))
    return FilesRestore(media_files=count, settings_file=str(out), settings_differ=differ)
