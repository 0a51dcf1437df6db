"""Every migration is reversible (forward, to zero, forward again gives the same schema, on
the engine under test), and migrations newer than the last release pass
django-migration-linter: a rolling release runs old and new code on one schema, so a new
migration may only expand it (new tables, nullable columns, indexes)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_migration_linter import MigrationLinter
from django_migration_linter.sql_analyser.analyser import analyse_sql_statements

from innkeeper.bookings.models import Booking
from innkeeper.testing.migration_roundtrip import APPS
from innkeeper.testing.processes import server_env

ROOT = Path(__file__).resolve().parents[4]
RELEASED = ROOT / "deploy" / "migrations-released.txt"


@pytest.fixture
def scratch_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database on the engine under test, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
        return
    conf = connection.settings_dict
    name = f"{conf['NAME']}_rt_{uuid.uuid4().hex[:6]}"[:63]
    admin = psycopg.connect(
        host=conf["HOST"] or "127.0.0.1",
        port=conf["PORT"] or 5432,
        user=conf["USER"],
        password=conf["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        auth = conf["USER"] + (f":{conf['PASSWORD']}" if conf["PASSWORD"] else "")
        try:
            yield f"postgres://{auth}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_every_migration_reverses_to_zero_and_back_to_the_same_schema(
    db, scratch_database_url, tmp_path
):
    env = server_env(tmp_path, DATABASE_URL=scratch_database_url)
    result = subprocess.run(
        [sys.executable, "-m", "innkeeper.testing.migration_roundtrip"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]  # IrreversibleError lands here
    report = json.loads(result.stdout)
    assert report["left_after_zero"] == []
    forward, again = set(report["forward"]["rows"]), set(report["again"]["rows"])
    assert forward == again, {"lost": sorted(forward - again), "new": sorted(again - forward)}
    # The double-booking guard (trigger or exclusion constraint) is part of what came back.
    assert any("overlap" in row.lower() for row in forward)


def released() -> set[tuple[str, str]]:
    lines = RELEASED.read_text().splitlines()
    return {tuple(line.split(".", 1)) for line in lines if line and not line.startswith("#")}  # type: ignore[misc]


def test_released_list_names_existing_migrations():
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    assert released() <= on_disk


# Flagged by the linter but safe, each checked below: the linter reads "ADD COLUMN ... NOT NULL"
# without noticing the database default that old code's INSERTs fall back on.
REVIEWED = {
    "rooms.0003_payment_policy": ("rooms", "PaymentPolicy", "deposit_amount"),
    "payments.0005_payment_hosted_checkout": ("payments", "Payment", "hosted_checkout"),
}


def test_migrations_newer_than_the_last_release_are_backward_compatible(transactional_db):
    from django.apps import apps
    from django.db.models import NOT_PROVIDED

    linter = MigrationLinter(
        include_apps=APPS, no_cache=True, no_output=True, ignore_initial_migrations=True
    )
    new = [
        migration
        for key, migration in sorted(linter.migration_loader.disk_migrations.items())
        if key[0] in APPS and key not in released()
    ]
    failing = []
    for migration in new:
        before = linter.nb_erroneous
        linter.lint_migration(migration)
        name = f"{migration.app_label}.{migration.name}"
        if linter.nb_erroneous > before:
            reviewed = REVIEWED.get(name)
            if reviewed is not None:
                app, model, field = reviewed
                # Safe only while the new NOT NULL column has a database-level default.
                db_default = apps.get_model(app, model)._meta.get_field(field).db_default
                if db_default is not NOT_PROVIDED:
                    continue
            failing.append(name)
    assert not failing, (
        f"backward-incompatible migrations {failing}: split them into expand (this release) "
        "and contract (a later one); `innkeeper lintmigrations`-style detail: run "
        "django-migration-linter on them"
    )


def test_the_linter_flags_a_dropped_column_and_passes_a_nullable_one(transactional_db):
    """The check is live on this engine: Django's own SQL for a contract step is caught."""
    linter = MigrationLinter(no_cache=True, no_output=True)
    notes = Booking._meta.get_field("notes")
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        editor.remove_field(Booking, notes)
    errors, _, _ = analyse_sql_statements(linter.sql_analyser_class, editor.collected_sql)
    assert errors, editor.collected_sql

    from django.db import models

    column = models.CharField(max_length=20, null=True, blank=True)
    column.set_attributes_from_name("new_nullable_column")
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        editor.add_field(Booking, column)
    errors, _, _ = analyse_sql_statements(linter.sql_analyser_class, editor.collected_sql)
    assert not errors, editor.collected_sql
