"""Read-only and maintenance mode pause the scheduled jobs that write: the scheduler leaves
them due and enqueues them on the first tick after writes are allowed again; a worker handed
one that was enqueued just before the switch skips it and gives it back to the schedule."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from innkeeper.bookings.tasks import expire_pending_bookings
from innkeeper.jobs.models import ScheduleEntry
from innkeeper.jobs.schedule import PERIODIC_JOBS, register_periodic, scheduler_tick
from innkeeper.ops.backups.tasks import nightly_backup
from innkeeper.ops.maintenance import maintenance_disable, maintenance_enable, read_only_set
from innkeeper.testing.jobs import drain

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedule() -> Iterator[None]:
    """Just two jobs: one that writes, one that only reads."""
    saved = dict(PERIODIC_JOBS)
    PERIODIC_JOBS.clear()
    register_periodic("test.writer", expire_pending_bookings, every=timedelta(minutes=1))
    register_periodic("test.reader", nightly_backup, every=timedelta(hours=24), writes=False)
    yield
    PERIODIC_JOBS.clear()
    PERIODIC_JOBS.update(saved)


def freeze(how: str) -> None:
    if how == "read_only":
        read_only_set(enabled=True, actor="test")
    else:
        maintenance_enable(actor="test")


def thaw(how: str) -> None:
    if how == "read_only":
        read_only_set(enabled=False, actor="test")
    else:
        maintenance_disable(actor="test")


@pytest.mark.parametrize("how", ["read_only", "maintenance"])
def test_writing_jobs_wait_while_frozen_and_run_after(schedule, caplog, how):
    freeze(how)
    with caplog.at_level(logging.INFO, logger="innkeeper.scheduler"):
        assert scheduler_tick(owner="test") == ["test.reader"]
        assert scheduler_tick(owner="test") == []  # the reader is not due again; writer held
    assert "writes are frozen (read-only/maintenance): holding test.writer" in caplog.text
    # Still due: never claimed, nothing enqueued.
    assert not ScheduleEntry.objects.filter(name="test.writer", last_run_at__isnull=False).exists()
    assert not DBTaskResult.objects.filter(task_path=expire_pending_bookings.module_path).exists()

    thaw(how)
    assert scheduler_tick(owner="test") == ["test.writer"]
    assert DBTaskResult.objects.filter(task_path=expire_pending_bookings.module_path).count() == 1


def test_the_builtin_writing_jobs_are_marked(monkeypatch, settings):
    settings.BACKUP_SCHEDULE = "on"  # the suite turns it off for child servers
    monkeypatch.setattr("innkeeper.jobs.schedule.PERIODIC_JOBS", dict(PERIODIC_JOBS))
    from innkeeper.jobs import schedule
    from innkeeper.ops.backups.tasks import register_backup_jobs

    register_backup_jobs()  # registered in OpsConfig.ready() unless BACKUP_SCHEDULE=off
    writes = {name: job.writes for name, job in schedule.PERIODIC_JOBS.items()}
    for name in (
        "bookings.expire_pending",
        "jobs.prune_finished",
        "core.prune_idempotency",
        "payments.reconcile",
        "notifications.reminders",
        "ops.restore_drill",
    ):
        assert writes[name] is True, name
    assert writes["ops.backup"] is False


def test_a_writing_job_enqueued_before_read_only_is_skipped_and_due_again(schedule, caplog):
    assert scheduler_tick(owner="test") == ["test.writer", "test.reader"]
    DBTaskResult.objects.exclude(task_path=expire_pending_bookings.module_path).delete()
    read_only_set(enabled=True, actor="test")
    with caplog.at_level(logging.WARNING, logger="innkeeper.jobs"):
        drain()
    job = DBTaskResult.objects.get(task_path=expire_pending_bookings.module_path)
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.return_value == {"skipped": "writes frozen (read-only or maintenance mode)"}
    assert "skipped: writes are frozen" in caplog.text
    assert ScheduleEntry.objects.get(name="test.writer").last_run_at is None

    read_only_set(enabled=False, actor="test")
    assert scheduler_tick(owner="test") == ["test.writer"]
