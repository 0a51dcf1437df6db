"""Database triggers that refuse changes to ledger entries, below the ORM guards.

PostgreSQL refuses UPDATE and DELETE (TRUNCATE, used by test flushes, is not a row event).
SQLite refuses UPDATE only: Django's test flush on SQLite is a plain DELETE.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION payments_ledger_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'ledger entries are append-only' USING ERRCODE = 'P0001';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payments_ledger_no_update BEFORE UPDATE OR DELETE ON payments_ledgerentry
  FOR EACH ROW EXECUTE FUNCTION payments_ledger_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS payments_ledger_no_update ON payments_ledgerentry;
DROP FUNCTION IF EXISTS payments_ledger_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER IF NOT EXISTS payments_ledger_no_update BEFORE UPDATE ON payments_ledgerentry
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS payments_ledger_no_update;"


def install(apps, schema_editor):
    sql = PG_UP if schema_editor.connection.vendor == "postgresql" else SQLITE_UP
    schema_editor.execute(sql)


def remove(apps, schema_editor):
    sql = PG_DOWN if schema_editor.connection.vendor == "postgresql" else SQLITE_DOWN
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
