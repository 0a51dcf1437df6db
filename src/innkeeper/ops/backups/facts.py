"""What a database holds, read with a plain DB-API cursor (sqlite3 or psycopg), so the same code
describes the live database, a backup copy and a scratch restore."""

from __future__ import annotations

from typing import Any

TABLES_SQL = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
}


# Tables whose rows never go into a backup: live session keys would let whoever reads a backup
# sign in as the people logged in when it was taken. A restore therefore signs everybody out.
EXCLUDED_DATA = ("django_session",)


def table_names(cursor: Any, engine: str) -> list[str]:
    cursor.execute(TABLES_SQL[engine])
    return sorted(str(row[0]) for row in cursor.fetchall())


def row_counts(cursor: Any, engine: str, *, excluded: tuple[str, ...] = ()) -> dict[str, int]:
    """Rows per table; tables in `excluded` count 0 (their data is left out of the dump)."""
    counts = {}
    for table in table_names(cursor, engine):
        if table in excluded:
            counts[table] = 0
            continue
        quoted = '"' + table.replace('"', '""') + '"'
        cursor.execute(f"SELECT count(*) FROM {quoted}")  # noqa: S608 - names from the catalog
        counts[table] = int(cursor.fetchone()[0])
    return counts


def migration_state(cursor: Any, engine: str) -> dict[str, str]:
    """The latest applied migration per app (names sort by their number)."""
    if "django_migrations" not in table_names(cursor, engine):
        return {}
    cursor.execute("SELECT app, name FROM django_migrations")
    latest: dict[str, str] = {}
    for app, name in cursor.fetchall():
        if name > latest.get(app, ""):
            latest[app] = name
    return latest


def count_differences(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    problems = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if want != got:
            problems.append(f"table {table}: manifest says {want} rows, restore has {got}")
    return problems
