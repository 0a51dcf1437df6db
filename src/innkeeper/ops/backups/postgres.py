"""PostgreSQL: pg_dump/pg_restore whose major version matches the server's (an older pg_dump
refuses a newer server; a newer one writes archives older servers' pg_restore cannot read)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from secrets import token_hex
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections

from innkeeper.core.errors import BackupFailed
from innkeeper.ops.backups import facts
from innkeeper.ops.backups.engines import Dump, scratch_alias

RESTORE_LOCK_TIMEOUT = "60s"  # a restore waits this long for other sessions' locks, then fails
TOOL_TIMEOUT_SECONDS = 6 * 3600
VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


def _params() -> dict[str, Any]:
    db = connections["default"].settings_dict
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": int(db["PORT"] or 5432),
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
        "dbname": db["NAME"],
    }


def _tool_env() -> dict[str, str]:
    params = _params()
    env = {**os.environ, "PGHOST": params["host"], "PGPORT": str(params["port"])}
    if params["user"]:
        env["PGUSER"] = params["user"]
    if params["password"]:
        env["PGPASSWORD"] = params["password"]
    return env


def server_major() -> int:
    with psycopg.connect(**_params(), connect_timeout=5) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    return int(row[0]) // 10000 if row else 0


def _candidates(name: str, major: int) -> list[str]:
    folders = [settings.BACKUP_PG_BIN_DIR, f"/usr/lib/postgresql/{major}/bin"]
    found = [str(Path(folder) / name) for folder in folders if folder]
    on_path = shutil.which(name)
    return [*found, on_path] if on_path else found


def pg_tool(name: str, major: int) -> tuple[str, str]:
    """(path, version line) of `name` for this server major, or a clear BackupFailed."""
    seen = []
    for path in _candidates(name, major):
        if not os.access(path, os.X_OK):
            continue
        # The paths are our own candidates (settings, the Debian layout, PATH), not user input.
        version = subprocess.run(  # noqa: S603
            [path, "--version"], capture_output=True, text=True, check=False, timeout=30
        ).stdout.strip()
        match = VERSION.search(version)
        if match and int(match.group(1)) == major:
            return path, version
        seen.append(f"{path} ({version or 'unknown version'})")
    raise BackupFailed(
        f"No {name} for PostgreSQL {major} (the server's version) was found; "
        f"looked in /usr/lib/postgresql/{major}/bin, BACKUP_PG_BIN_DIR and PATH"
        + (f", found only {', '.join(seen)}" if seen else "")
        + f". Install postgresql-client-{major} or set BACKUP_PG_BIN_DIR."
    )


def _run(args: list[str], what: str, **extra_env: str) -> None:
    done = subprocess.run(  # noqa: S603 - fixed tool paths and our own arguments
        args,
        env={**_tool_env(), **extra_env},
        capture_output=True,
        text=True,
        check=False,
        timeout=TOOL_TIMEOUT_SECONDS,
    )
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        raise BackupFailed(f"{what} failed (exit {done.returncode}): {tail}")


def pg_dump(target: Path) -> Dump:
    """pg_dump --format=custom inside the snapshot the row counts were taken in, so the
    manifest describes exactly what the file holds even while guests keep booking."""
    path, version = pg_tool("pg_dump", server_major())
    with psycopg.connect(**_params(), connect_timeout=5) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        row = conn.execute("SELECT pg_export_snapshot()").fetchone()
        cursor = conn.cursor()
        dump = Dump(
            file=target,
            tool=version,
            row_counts=facts.row_counts(cursor, "postgresql", excluded=facts.EXCLUDED_DATA),
            migrations=facts.migration_state(cursor, "postgresql"),
        )
        snapshot = str(row[0]) if row else ""
        _run(
            [
                path,
                "--format=custom",
                f"--snapshot={snapshot}",
                *(f"--exclude-table-data={table}" for table in facts.EXCLUDED_DATA),
                "--file",
                str(target),
                "--dbname",
                _params()["dbname"],
            ],
            "pg_dump",
        )
        conn.rollback()
    return dump


def _restore_args(backup_file: Path, dbname: str) -> list[str]:
    path, _ = pg_tool("pg_restore", server_major())
    return [path, "--no-owner", "--no-acl", "--exit-on-error", "--dbname", dbname, str(backup_file)]


@contextmanager
def pg_scratch(backup_file: Path) -> Iterator[str]:
    """A temporary database (created from template0, dropped afterwards) holding the backup."""
    name = f"innkeeper_verify_{token_hex(4)}"
    with psycopg.connect(**_params(), autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        _run(_restore_args(backup_file, name), "pg_restore into a scratch database")
        with scratch_alias(name) as alias:
            yield alias
    finally:
        with psycopg.connect(**_params(), autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_restore_live(backup_file: Path) -> None:
    """One transaction: on any error PostgreSQL rolls back and the database is as it was."""
    connections.close_all()
    args = _restore_args(backup_file, _params()["dbname"])
    args[1:1] = ["--clean", "--if-exists", "--single-transaction"]
    _run(args, "pg_restore", PGOPTIONS=f"-c lock_timeout={RESTORE_LOCK_TIMEOUT}")
