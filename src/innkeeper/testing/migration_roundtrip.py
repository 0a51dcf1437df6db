"""Migrate a scratch database forward, to zero for every innkeeper app, and forward again,
printing the schema at each step as JSON (the reversibility test compares them). Run as
`python -m innkeeper.testing.migration_roundtrip` with DATABASE_URL set to a scratch database."""

from __future__ import annotations

import json
import os
from typing import Any

import django

# innkeeper's own apps, leaves first; `migrate <app> zero` also unapplies what depends on it.
APPS = ["notifications", "jobs", "payments", "ops", "bookings", "rooms", "accounts", "core"]


def schema() -> dict[str, Any]:
    """Tables, columns, constraints, indexes and triggers, engine-neutral enough to compare."""
    from django.db import connection

    if connection.vendor == "sqlite":
        sql = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    else:
        sql = """
            SELECT 'column', table_name || '.' || column_name, data_type, is_nullable
              FROM information_schema.columns WHERE table_schema = 'public'
            UNION ALL SELECT 'constraint', conrelid::regclass::text || '.' || conname,
                   pg_get_constraintdef(oid), '' FROM pg_constraint
             WHERE connamespace = 'public'::regnamespace
            UNION ALL SELECT 'index', indexname, indexdef, '' FROM pg_indexes
             WHERE schemaname = 'public'
            UNION ALL SELECT 'trigger', tgrelid::regclass::text || '.' || tgname,
                   pg_get_triggerdef(oid), '' FROM pg_trigger WHERE NOT tgisinternal"""
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = sorted(" | ".join(str(v) for v in row) for row in cursor.fetchall())
    return {"rows": rows}


def ours_applied() -> list[str]:
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied if app in APPS)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innkeeper.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    forward = schema()
    for app in APPS:
        call_command("migrate", app, "zero", verbosity=0, interactive=False)
    left = ours_applied()
    call_command("migrate", verbosity=0, interactive=False)
    print(json.dumps({"forward": forward, "left_after_zero": left, "again": schema()}))


if __name__ == "__main__":
    main()
