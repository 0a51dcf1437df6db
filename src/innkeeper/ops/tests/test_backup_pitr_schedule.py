"""pgBackRest backups (full/incremental) and the repository's off-site sync on innkeeper's own
scheduler, no cron (issue 17 #4): registered like the other periodic jobs, claimed once per
planned time however many schedulers run, taken by the database host's worker (queue "pitr")
only. The end-to-end test runs on a PRIVATE PostgreSQL cluster and moto's S3 server."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django_tasks_db.models import DBTaskResult

from innkeeper.jobs.schedule import PERIODIC_JOBS, scheduler_tick
from innkeeper.ops.backups.pitr_tasks import (
    QUEUE,
    backup_type,
    pitr_scheduled_backup,
    pitr_sync,
)
from innkeeper.ops.backups.schedule import parse_schedule
from innkeeper.ops.backups.selectors import backup_status
from innkeeper.ops.backups.tasks import register_backup_jobs
from innkeeper.testing.backups import BUCKET, OWNER, child_env, repo_prefix_of
from innkeeper.testing.cli import database_url
from innkeeper.testing.jobs import innkeeper

PITR_JOBS = {"ops.pitr_backup", "ops.pitr_sync"}


def test_a_full_backup_when_one_was_planned_since_the_newest_full_else_incremental(settings):
    settings.BACKUP_TIME_ZONE = "UTC"
    weekly = parse_schedule("30 1 * * 0", default="x")  # Sundays 01:30
    sunday_0130 = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)
    monday = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
    assert backup_type(weekly, monday, None) == "full"  # none yet
    assert backup_type(weekly, monday, sunday_0130) == "incr"  # this week's is there
    assert backup_type(weekly, monday, datetime(2026, 11, 22, 1, 30, tzinfo=UTC)) == "full"
    assert backup_type([], monday, None) == "incr"  # fulls "off": pgBackRest decides


@pytest.fixture
def pitr_registry(settings, tmp_path) -> Iterator[None]:
    saved = dict(PERIODIC_JOBS)
    PERIODIC_JOBS.clear()
    settings.BACKUP_TIME_ZONE = "UTC"
    settings.BACKUP_SCHEDULE = "off"
    settings.BACKUP_PITR_PGDATA = str(tmp_path / "pgdata")
    settings.BACKUP_S3_BUCKET = BUCKET
    yield
    PERIODIC_JOBS.clear()
    PERIODIC_JOBS.update(saved)


@pytest.mark.django_db
def test_registered_where_pitr_is_set_up_and_refused_when_invalid(settings, pitr_registry):
    register_backup_jobs()
    assert set(PERIODIC_JOBS) == PITR_JOBS
    assert PERIODIC_JOBS["ops.pitr_backup"].plan == "at '30 1 * * 0; 15 * * * *' (UTC)"
    assert not PERIODIC_JOBS["ops.pitr_backup"].writes  # runs in read-only mode too
    assert pitr_scheduled_backup.queue_name == pitr_sync.queue_name == QUEUE

    PERIODIC_JOBS.clear()
    settings.BACKUP_S3_BUCKET = ""
    register_backup_jobs()
    assert set(PERIODIC_JOBS) == {"ops.pitr_backup"}  # nothing to sync to

    PERIODIC_JOBS.clear()
    settings.BACKUP_PITR_INCR_SCHEDULE = "hourly"
    register_backup_jobs()
    assert not PERIODIC_JOBS
    problems = " ".join(backup_status().problems)
    assert "BACKUP_PITR_INCR_SCHEDULE: 'hourly' is neither a cron expression" in problems

    PERIODIC_JOBS.clear()
    settings.BACKUP_PITR_PGDATA = ""
    register_backup_jobs()
    assert not PERIODIC_JOBS  # no PITR here: nothing of pgBackRest's


@pytest.mark.django_db
def test_two_schedulers_enqueue_each_planned_run_once(settings, pitr_registry):
    register_backup_jobs()
    at = datetime(2026, 11, 30, 9, 15, 5, tzinfo=UTC)
    assert sorted(scheduler_tick(owner="scheduler-a", now=at)) == sorted(PITR_JOBS)
    assert scheduler_tick(owner="scheduler-b", now=at) == []
    assert scheduler_tick(owner="scheduler-b", now=at.replace(second=50)) == []
    # The next minute: the sync is due again, the hourly incremental is not.
    assert scheduler_tick(owner="scheduler-b", now=at.replace(minute=16)) == ["ops.pitr_sync"]
    queued = DBTaskResult.objects.filter(queue_name=QUEUE)
    assert queued.filter(task_path=pitr_scheduled_backup.module_path).count() == 1
    assert queued.filter(task_path=pitr_sync.module_path).count() == 2


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A real `innkeeper` process (slow ones on a loaded machine: pgBackRest's first backup)."""
    return innkeeper(*args, env={**os.environ, "DATABASE_URL": database_url(), **env}, timeout=600)


def _pgbackrest_types(env: dict[str, str]) -> list[str]:
    """The types of the backups in the repository, from pgBackRest's own report."""
    config = f"--config={env['BACKUP_PITR_CONFIG']}"
    owner = ["runuser", "-u", OWNER, "--"]
    raw = subprocess.run(
        [*owner, "pgbackrest", config, "--stanza=innkeeper", "--output=json", "info"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [b["type"] for b in json.loads(raw)[0]["backup"]]


@pytest.mark.django_db(transaction=True)
def test_the_database_hosts_worker_takes_incrementals_and_syncs_off_site(
    private_cluster, settings, s3
):
    cluster = {k: v for k, v in private_cluster["env"].items() if k != "DATABASE_URL"}
    setup = _run("backup", "pitr", "setup", env={**child_env(settings), **private_cluster["env"]})
    assert setup.returncode == 0, setup.stdout + setup.stderr
    settings.BACKUP_TIME_ZONE = "UTC"
    settings.BACKUP_SCHEDULE = "off"
    saved = dict(PERIODIC_JOBS)
    PERIODIC_JOBS.clear()
    try:
        for name, value in cluster.items():
            setattr(settings, name, value)
        register_backup_jobs()
        assert set(PERIODIC_JOBS) == PITR_JOBS
        assert sorted(scheduler_tick(owner="scheduler-a")) == sorted(PITR_JOBS)
        assert scheduler_tick(owner="scheduler-b") == []
    finally:
        PERIODIC_JOBS.clear()
        PERIODIC_JOBS.update(saved)

    env = {**child_env(settings), **cluster}  # the jobs live in the test database
    web_worker = _run("worker", "--batch", env=env)  # a web host's worker: not its queue
    assert web_worker.returncode == 0, web_worker.stdout + web_worker.stderr
    assert DBTaskResult.objects.filter(queue_name=QUEUE, status="READY").count() == 2
    db_worker = _run("worker", "--batch", "--queue", QUEUE, env=env)
    assert db_worker.returncode == 0, db_worker.stdout + db_worker.stderr
    jobs = {j.task_path: j for j in DBTaskResult.objects.filter(queue_name=QUEUE)}
    backup = jobs[pitr_scheduled_backup.module_path]
    assert backup.status == "SUCCESSFUL", backup.exception_class_path
    assert backup.return_value["type"] == "incr"  # this week's full came with the setup
    assert jobs[pitr_sync.module_path].status == "SUCCESSFUL"
    assert _pgbackrest_types(env) == ["full", "incr"]

    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=BUCKET, Prefix=repo_prefix_of(settings)
    )
    keys = [o["Key"] for page in pages for o in page.get("Contents", [])]
    assert any(k.endswith("I/backup.manifest") for k in keys), keys[-5:]  # the incremental
