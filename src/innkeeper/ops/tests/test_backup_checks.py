"""Backups seen by the health report, retention, the scheduled drill, and the pg_dump
version rule (in process; the CLI is covered by test_backups.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from innkeeper.core.errors import BackupFailed
from innkeeper.ops.backups.manifest import all_manifests
from innkeeper.ops.backups.postgres import pg_tool
from innkeeper.ops.backups.services import backup_run
from innkeeper.ops.backups.tasks import restore_drill
from innkeeper.testing.cli import innkeeper
from innkeeper.testing.jobs import child_env
from innkeeper.testing.jobs import innkeeper as jobs_cli

pytestmark = pytest.mark.slow

TOKEN = "monitor-token-0123456789"


@pytest.fixture
def monitor(settings, backup_dir):
    settings.REDIS_URL = ""
    settings.HEALTH_TOKEN = TOKEN
    return settings


def full(client: Client) -> dict:
    response = client.get("/api/health/full", HTTP_X_HEALTH_TOKEN=TOKEN)
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db(transaction=True)
def test_health_full_reports_backup_age_and_ready_ignores_it(client, monitor, make_booking):
    never = full(client)
    assert never["checks"]["backups"] == "degraded"
    assert never["details"]["backups"]["problems"] == ["no backup has been taken yet"]
    ready = client.get("/api/health/ready")
    assert ready.status_code == 200 and "backups" not in ready.json()["checks"]

    make_booking()
    manifest = backup_run(actor="test")
    fresh = full(client)
    assert fresh["checks"]["backups"] == "healthy"
    assert fresh["details"]["backups"]["latest"] == manifest.id
    assert fresh["details"]["backups"]["verified"] is None

    monitor.BACKUP_MAX_AGE_HOURS = 0.0
    stale = full(client)
    assert stale["checks"]["backups"] == "degraded"
    assert "old (limit 0 h)" in stale["details"]["backups"]["problems"][0]

    cli = innkeeper(
        "health", "check", "--detailed", BACKUP_DIR=str(monitor.BACKUP_DIR), REDIS_URL=""
    )
    line = next(row for row in cli.stdout.splitlines() if row.strip().startswith("backups"))
    assert f"latest={manifest.id}" in line and "healthy" in line, cli.stdout


@pytest.mark.django_db(transaction=True)
def test_scheduled_drill_verifies_the_newest_and_retention_keeps_it(monitor, make_booking):
    make_booking()
    monitor.BACKUP_KEEP = 2
    first = backup_run(actor="test")
    restore_drill.enqueue()
    # A real worker process runs the drill (its scratch database is its own business).
    worker = jobs_cli(
        "worker",
        "--batch",
        "--queue",
        "default",
        env=child_env(BACKUP_DIR=str(monitor.BACKUP_DIR)),
    )
    assert worker.returncode == 0, worker.stdout + worker.stderr
    assert f"backup {first.id} verification passed" in worker.stderr
    assert all_manifests()[0].verified is True

    ids = [backup_run(actor="test").id for _ in range(3)]
    kept = [m.id for m in all_manifests()]
    # the newest two, plus the newest verified one even though it is older
    assert kept == [first.id, *ids[-2:]]
    files = sorted(p.name for p in monitor.BACKUP_DIR.iterdir() if p.suffix != ".json")
    archives = [str((m.files or {}).get("file")) for m in all_manifests()]  # media + settings
    assert files == sorted([m.file for m in all_manifests()] + archives)


@pytest.mark.django_db
def test_drill_without_backups_is_a_warning_not_a_failure(monitor):
    assert restore_drill.call() == {"backup": None, "ok": None}


def test_pg_dump_of_another_major_version_is_refused_clearly(settings):
    settings.BACKUP_PG_BIN_DIR = ""
    with pytest.raises(BackupFailed) as refused:
        pg_tool("pg_dump", 99)
    assert "No pg_dump for PostgreSQL 99 (the server's version) was found" in refused.value.detail
    assert "postgresql-client-99" in refused.value.detail
