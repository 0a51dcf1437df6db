"""Engine specifics: SQLite (online backup API, gzip) and PostgreSQL (pg_dump/pg_restore of the
server's own major version). Each engine can dump, restore into a scratch database for a drill,
and restore over the live database."""

from __future__ import annotations

import copy
import gzip
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from secrets import token_hex

from django.db import connections

from innkeeper.core.errors import BackupFailed
from innkeeper.ops.backups import facts


@dataclass
class Dump:
    file: Path
    tool: str
    row_counts: dict[str, int] = field(default_factory=dict)
    migrations: dict[str, str] = field(default_factory=dict)


def engine() -> str:
    vendor = connections["default"].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupFailed(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def database_name() -> str:
    """What the operator retypes: the PostgreSQL database name, or the SQLite file name."""
    name = str(connections["default"].settings_dict["NAME"])
    return Path(name).name if engine() == "sqlite" else name


@contextmanager
def scratch_alias(name: str) -> Iterator[str]:
    """A temporary Django database alias for `name`, so ORM code runs against a scratch copy."""
    alias = f"backup_scratch_{token_hex(4)}"
    config = copy.deepcopy(connections["default"].settings_dict)
    config.update(NAME=name, CONN_MAX_AGE=0)
    connections.settings[alias] = config
    try:
        yield alias
    finally:
        with suppress(AttributeError):
            connections[alias].close()
            del connections[alias]
        del connections.settings[alias]


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_live_path() -> str:
    return str(connections["default"].settings_dict["NAME"])


def _drop_excluded_data(snapshot: sqlite3.Connection) -> None:
    """Empty the excluded tables in the copy; secure_delete + VACUUM leave no old pages."""
    present = set(facts.table_names(snapshot.cursor(), "sqlite"))
    snapshot.execute("PRAGMA secure_delete = ON")
    for table in facts.EXCLUDED_DATA:
        if table in present:
            snapshot.execute(f'DELETE FROM "{table}"')  # noqa: S608 - a module constant
    snapshot.commit()
    snapshot.execute("VACUUM")


def sqlite_dump(target: Path) -> Dump:
    """Copy with the online backup API (consistent while others write), then gzip."""
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        copy_path = Path(work) / "copy.sqlite3"
        live = sqlite3.connect(_sqlite_live_path(), timeout=30)
        snapshot = sqlite3.connect(copy_path)
        try:
            live.backup(snapshot)
            _drop_excluded_data(snapshot)
            cursor = snapshot.cursor()
            dump = Dump(
                file=target,
                tool=f"sqlite3 {sqlite3.sqlite_version}",
                row_counts=facts.row_counts(cursor, "sqlite"),
                migrations=facts.migration_state(cursor, "sqlite"),
            )
        finally:
            snapshot.close()
            live.close()
        with copy_path.open("rb") as source, gzip.open(target, "wb", compresslevel=6) as sink:
            shutil.copyfileobj(source, sink)
    return dump


@contextmanager
def _sqlite_unpacked(backup_file: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="innkeeper-restore-") as work:
        path = Path(work) / "restore.sqlite3"
        try:
            with gzip.open(backup_file, "rb") as source, path.open("wb") as sink:
                shutil.copyfileobj(source, sink)
        except (OSError, EOFError) as error:
            message = f"{backup_file.name} is not a readable gzip file: {error}"
            raise BackupFailed(message) from error
        yield path


@contextmanager
def sqlite_scratch(backup_file: Path) -> Iterator[str]:
    with _sqlite_unpacked(backup_file) as path, scratch_alias(str(path)) as alias:
        yield alias


def sqlite_restore_live(backup_file: Path) -> None:
    """Copy the backup over the live file with the backup API: one write transaction, so other
    processes see the old or the new database, never a half-written file."""
    with _sqlite_unpacked(backup_file) as path:
        connections.close_all()
        source = sqlite3.connect(path)
        live = sqlite3.connect(_sqlite_live_path(), timeout=60)
        try:
            source.backup(live)
        except sqlite3.Error as error:
            raise BackupFailed(f"SQLite restore failed: {error}") from error
        finally:
            live.close()
            source.close()


# --- dispatch -----------------------------------------------------------------------------


def dump(target: Path) -> Dump:
    if engine() == "sqlite":
        return sqlite_dump(target)
    from innkeeper.ops.backups.postgres import pg_dump

    return pg_dump(target)


def file_suffix() -> str:
    return ".sqlite3.gz" if engine() == "sqlite" else ".pgdump"


@contextmanager
def scratch(backup_file: Path, backup_engine: str) -> Iterator[str]:
    """A Django alias of a throwaway database holding the backup."""
    if backup_engine == "sqlite":
        with sqlite_scratch(backup_file) as alias:
            yield alias
        return
    from innkeeper.ops.backups.postgres import pg_scratch

    with pg_scratch(backup_file) as alias:
        yield alias


def restore_live(backup_file: Path) -> None:
    if engine() == "sqlite":
        sqlite_restore_live(backup_file)
        return
    from innkeeper.ops.backups.postgres import pg_restore_live

    pg_restore_live(backup_file)
