"""The database's guarantee that an active booking and a room block never share a night.

An exclusion constraint cannot span two tables, so both engines use triggers on both tables:
PostgreSQL's take a transaction-scoped advisory lock per room first (the same lock on both
sides), so two transactions cannot each miss the other's uncommitted row; its error is an
exclusion violation (SQLSTATE 23P01) like the bookings' own constraint. SQLite serializes
writers (IMMEDIATE transactions); its triggers raise a message containing `booking_overlap`.
Either way `integrity.is_overlap_violation` recognises it and the booking service answers 409.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from innkeeper.bookings.integrity import ACTIVE_SQL

BOOKINGS, BLOCKS = "bookings_booking", "bookings_roomblock"
NAME = "booking_block_guard"
ERROR = "booking_overlap_with_block"
LOCK_CLASS = 7_340_001  # advisory lock key space of this guard: (LOCK_CLASS, room id)

_PG_LOCK = f"PERFORM pg_advisory_xact_lock({LOCK_CLASS}, mod(NEW.room_id, 2147483647)::integer);"
_PG_RAISE = f"RAISE EXCEPTION '{ERROR}' USING ERRCODE = '23P01', CONSTRAINT = '{NAME}';"
_PG_BOOKING_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {NAME}_booking() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IN {ACTIVE_SQL} THEN
    {_PG_LOCK}
    IF EXISTS (SELECT 1 FROM {BLOCKS} AS b WHERE b.room_id = NEW.room_id
               AND b.start < NEW.check_out AND NEW.check_in < b."end") THEN
      {_PG_RAISE}
    END IF;
  END IF;
  RETURN NEW;
END $$"""
_PG_BLOCK_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {NAME}_block() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {_PG_LOCK}
  IF EXISTS (SELECT 1 FROM {BOOKINGS} AS k WHERE k.room_id = NEW.room_id
             AND k.status IN {ACTIVE_SQL}
             AND k.check_in < NEW."end" AND NEW.start < k.check_out) THEN
    {_PG_RAISE}
  END IF;
  RETURN NEW;
END $$"""

POSTGRES_INSTALL = [
    _PG_BOOKING_FUNCTION,
    _PG_BLOCK_FUNCTION,
    f"""CREATE TRIGGER {NAME}_booking BEFORE INSERT OR UPDATE OF room_id, check_in, check_out,
        status ON {BOOKINGS} FOR EACH ROW EXECUTE FUNCTION {NAME}_booking()""",
    f"""CREATE TRIGGER {NAME}_block BEFORE INSERT OR UPDATE OF room_id, start, "end"
        ON {BLOCKS} FOR EACH ROW EXECUTE FUNCTION {NAME}_block()""",
]
POSTGRES_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {NAME}_booking ON {BOOKINGS}",
    f"DROP TRIGGER IF EXISTS {NAME}_block ON {BLOCKS}",
    f"DROP FUNCTION IF EXISTS {NAME}_booking()",
    f"DROP FUNCTION IF EXISTS {NAME}_block()",
]

_SQLITE_BOOKING_CHECK = f"""
    SELECT RAISE(ABORT, '{ERROR}') WHERE EXISTS (
        SELECT 1 FROM {BLOCKS} AS b WHERE b.room_id = NEW.room_id
          AND b.start < NEW.check_out AND NEW.check_in < b."end");"""
_SQLITE_BLOCK_CHECK = f"""
    SELECT RAISE(ABORT, '{ERROR}') WHERE EXISTS (
        SELECT 1 FROM {BOOKINGS} AS k WHERE k.room_id = NEW.room_id
          AND k.status IN {ACTIVE_SQL}
          AND k.check_in < NEW."end" AND NEW.start < k.check_out);"""
SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS {NAME}_booking_insert BEFORE INSERT ON {BOOKINGS}
        WHEN NEW.status IN {ACTIVE_SQL} BEGIN {_SQLITE_BOOKING_CHECK} END""",
    f"""CREATE TRIGGER IF NOT EXISTS {NAME}_booking_update
        BEFORE UPDATE OF room_id, check_in, check_out, status ON {BOOKINGS}
        WHEN NEW.status IN {ACTIVE_SQL} BEGIN {_SQLITE_BOOKING_CHECK} END""",
    f"""CREATE TRIGGER IF NOT EXISTS {NAME}_block_insert BEFORE INSERT ON {BLOCKS}
        BEGIN {_SQLITE_BLOCK_CHECK} END""",
    f"""CREATE TRIGGER IF NOT EXISTS {NAME}_block_update
        BEFORE UPDATE OF room_id, start, "end" ON {BLOCKS} BEGIN {_SQLITE_BLOCK_CHECK} END""",
]
SQLITE_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {NAME}_{suffix}"
    for suffix in ("booking_insert", "booking_update", "block_insert", "block_update")
]


def _statements(vendor: str, *, install: bool) -> list[str]:
    if vendor == "postgresql":
        return POSTGRES_INSTALL if install else POSTGRES_UNINSTALL
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_UNINSTALL
    raise NotImplementedError(f"no block guard for {vendor}: use PostgreSQL or SQLite")


def install_block_guard(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in _statements(schema_editor.connection.vendor, install=True):
        schema_editor.execute(statement)


def uninstall_block_guard(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in _statements(schema_editor.connection.vendor, install=False):
        schema_editor.execute(statement)


def block_guard_installed(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE %s", [f"{NAME}_%"])
            return bool(cursor.fetchone()[0] == 2)
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            [f"{NAME}_%"],
        )
        return bool(cursor.fetchone()[0] == 4)


def ensure_block_guard(using: str = "default", **kwargs: Any) -> None:
    """post_migrate hook: SQLite drops a table's triggers when a migration rebuilds it."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN (%s, %s)",
            [BOOKINGS, BLOCKS],
        )
        if cursor.fetchone()[0] != 2:
            return
        for statement in SQLITE_INSTALL:
            cursor.execute(statement)
