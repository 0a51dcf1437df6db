"""The database's own guarantee that active bookings of one room never overlap.

PostgreSQL: an exclusion constraint over (room, daterange) using btree_gist.
SQLite: BEFORE INSERT/UPDATE triggers. SQLite drops triggers when a migration rebuilds the
table, so they are (re)created after every migrate; creating them is idempotent.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

TABLE = "bookings_booking"
CONSTRAINT = "booking_no_overlap"
SQLITE_ERROR = "booking_overlap"
ACTIVE_SQL = "('pending', 'confirmed', 'checked_in')"

POSTGRES_INSTALL = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE {TABLE} ADD CONSTRAINT {CONSTRAINT}
        EXCLUDE USING gist (room_id WITH =, daterange(check_in, check_out, '[)') WITH &&)
        WHERE (status IN {ACTIVE_SQL})""",
]
POSTGRES_UNINSTALL = [f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {CONSTRAINT}"]

_SQLITE_OVERLAP = f"""
    SELECT RAISE(ABORT, '{SQLITE_ERROR}') WHERE EXISTS (
        SELECT 1 FROM {TABLE} AS other
        WHERE other.room_id = NEW.room_id
          AND other.id IS NOT NEW.id
          AND other.status IN {ACTIVE_SQL}
          AND other.check_in < NEW.check_out
          AND NEW.check_in < other.check_out
    );"""
SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS {CONSTRAINT}_insert BEFORE INSERT ON {TABLE}
        WHEN NEW.status IN {ACTIVE_SQL}
        BEGIN {_SQLITE_OVERLAP} END""",
    f"""CREATE TRIGGER IF NOT EXISTS {CONSTRAINT}_update
        BEFORE UPDATE OF room_id, check_in, check_out, status ON {TABLE}
        WHEN NEW.status IN {ACTIVE_SQL}
        BEGIN {_SQLITE_OVERLAP} END""",
]
SQLITE_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {CONSTRAINT}_insert",
    f"DROP TRIGGER IF EXISTS {CONSTRAINT}_update",
]


def _statements(vendor: str, *, install: bool) -> list[str]:
    if vendor == "postgresql":
        return POSTGRES_INSTALL if install else POSTGRES_UNINSTALL
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_UNINSTALL
    raise NotImplementedError(f"no overlap guard for {vendor}: use PostgreSQL or SQLite")


def guard_installed(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_constraint WHERE conname = %s", [CONSTRAINT])
            return bool(cursor.fetchone()[0] == 1)
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            [f"{CONSTRAINT}_%"],
        )
        return bool(cursor.fetchone()[0] == 2)


def install_overlap_guard(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in _statements(schema_editor.connection.vendor, install=True):
        schema_editor.execute(statement)


def uninstall_overlap_guard(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in _statements(schema_editor.connection.vendor, install=False):
        schema_editor.execute(statement)


def ensure_overlap_guard(using: str = "default", **kwargs: Any) -> None:
    """post_migrate hook: re-create the SQLite triggers if a table rebuild dropped them."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=%s", [TABLE])
        if cursor.fetchone() is None:
            return
        for statement in SQLITE_INSTALL:
            cursor.execute(statement)


def is_overlap_violation(error: IntegrityError) -> bool:
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) == "23P01":
        return True
    return SQLITE_ERROR in str(error) or CONSTRAINT in str(error)
