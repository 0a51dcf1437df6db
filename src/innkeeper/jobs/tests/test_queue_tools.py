"""Retry policy, recovery of dead workers' jobs, the scheduler and the `queue` CLI."""

from __future__ import annotations

import json
import subprocess
import threading
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from innkeeper.core.models import AuditEvent, IdempotencyRecord
from innkeeper.jobs.models import ScheduleEntry, WorkerHeartbeat
from innkeeper.jobs.retry import RetryPolicy
from innkeeper.jobs.schedule import PERIODIC_JOBS, scheduler_tick
from innkeeper.jobs.services import jobs_recover_stale
from innkeeper.jobs.tasks import prune_finished_jobs
from innkeeper.notifications.tasks import send_booking_email
from innkeeper.testing.jobs import child_env, drain, innkeeper


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    policy = RetryPolicy(max_attempts=4, base_delay=10, max_delay=60)
    for attempt, ceiling in [(1, 10), (2, 20), (3, 40), (4, 60), (9, 60)]:
        delays = {policy.delay(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered, not a fixed schedule
    assert policy.should_retry(3, OSError())
    assert not policy.should_retry(4, OSError())
    assert not RetryPolicy(give_up_on=(KeyError,)).should_retry(1, KeyError())


def _running_job(worker_id: str, started_minutes_ago: float) -> DBTaskResult:
    result = send_booking_email.enqueue(booking_id=1, kind="booking_confirmed")
    job = DBTaskResult.objects.get(id=result.id)
    job.claim(worker_id)
    DBTaskResult.objects.filter(id=job.id).update(
        started_at=timezone.now() - timedelta(minutes=started_minutes_ago)
    )
    return job


def _beat(worker_id: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, hostname="h", pid=1, queues="*", started_at=now, last_seen=now
    )


def test_recovery_requeues_only_jobs_of_dead_workers(db, settings):
    settings.JOBS_VISIBILITY_TIMEOUT_SECONDS = 60
    dead = _running_job("dead", started_minutes_ago=5)
    slow = _running_job("alive", started_minutes_ago=5)
    fresh = _running_job("quiet", started_minutes_ago=0)
    _beat("alive")

    assert jobs_recover_stale() == [str(dead.id)]
    statuses = dict(DBTaskResult.objects.values_list("id", "status"))
    assert statuses[dead.id] == TaskResultStatus.READY
    assert statuses[slow.id] == statuses[fresh.id] == TaskResultStatus.RUNNING
    dead.refresh_from_db()
    assert "WorkerLost" in dead.traceback


def test_recovery_fails_a_job_that_used_all_its_attempts(db, settings):
    settings.JOBS_VISIBILITY_TIMEOUT_SECONDS = 60
    settings.JOBS_MAX_ATTEMPTS = 1
    job = _running_job("dead", started_minutes_ago=5)
    jobs_recover_stale()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED
    assert job.exception_class_path == "innkeeper.jobs.WorkerLost"


def test_scheduler_runs_each_job_once_per_interval(db):
    first = scheduler_tick(owner="a")
    assert (
        set(first)
        == set(PERIODIC_JOBS)
        >= {
            "bookings.expire_pending",
            "notifications.reminders",
            "jobs.prune_finished",
            "core.prune_idempotency",
        }
    )
    assert scheduler_tick(owner="b") == []  # a second scheduler finds nothing due
    later = timezone.now() + timedelta(minutes=2)
    # Two minutes on, exactly the every-minute jobs are due again, once each.
    every_minute = [
        job.name
        for job in PERIODIC_JOBS.values()
        if job.every <= timedelta(minutes=1) and job.last_planned is None
    ]
    assert {"bookings.expire_pending", "channels.sync_feeds"} <= set(every_minute)
    assert sorted(scheduler_tick(owner="b", now=later)) == sorted(every_minute)
    assert DBTaskResult.objects.count() == len(first) + len(every_minute)


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_two_schedulers_started_together_enqueue_each_job_once():
    env = child_env()
    results: list[subprocess.CompletedProcess[str]] = []
    threads = [
        threading.Thread(target=lambda: results.append(innkeeper("scheduler", "--once", env=env)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.returncode == 0 for r in results), [r.stdout for r in results]
    paths = list(DBTaskResult.objects.values_list("task_path", flat=True))
    assert len(paths) == len(PERIODIC_JOBS) == len(set(paths))
    assert ScheduleEntry.objects.count() == len(PERIODIC_JOBS)


def test_housekeeping_expires_holds_and_prunes(make_booking, hotel, settings):
    hotel.instant_booking = False
    hotel.save()
    booking = make_booking()
    booking.expires_at = timezone.now() - timedelta(minutes=1)
    booking.save()
    old = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS + 1)
    record = IdempotencyRecord.objects.create(
        scope="s", key="k", request_hash="h", response_status=201, response_body={}
    )
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=old)
    scheduler_tick(owner="test")
    drain()
    booking.refresh_from_db()
    assert booking.status == "expired"
    assert not IdempotencyRecord.objects.exists()

    DBTaskResult.objects.update(finished_at=timezone.now() - timedelta(days=8))
    prune_finished_jobs.enqueue()
    drain()
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == [
        prune_finished_jobs.module_path
    ]


def _failed_job() -> DBTaskResult:
    result = send_booking_email.enqueue(booking_id=424242, kind="booking_confirmed")
    drain()  # the booking does not exist: the task gives up at once
    job = DBTaskResult.objects.get(id=result.id)
    assert job.status == TaskResultStatus.FAILED
    return job


def test_queue_commands_list_retry_forget_and_prune(db, capsys):
    job = _failed_job()
    call_command("queue", "failed", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["id"] == str(job.id)
    assert rows[0]["attempts"] == 1
    assert "DoesNotExist" in rows[0]["error"]

    with pytest.raises(CommandError, match="No failed job with id") as refused:
        call_command("queue", "retry", str(job.id), str(uuid.uuid4()))
    assert refused.value.returncode == 1
    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED  # all or nothing

    with pytest.raises(CommandError, match="is not a job id") as bad:
        call_command("queue", "forget", "nonsense")
    assert bad.value.returncode == 2

    call_command("queue", "forget", str(job.id))
    assert not DBTaskResult.objects.exists()
    assert AuditEvent.objects.filter(action="queue.forgotten", source="cli").count() == 1

    _failed_job()
    call_command("queue", "forget", "--all-failed")
    assert not DBTaskResult.objects.exists()

    with pytest.raises(CommandError, match="7d") as age:
        call_command("queue", "prune", "--older-than", "soon")
    assert age.value.returncode == 2
    call_command("queue", "prune", "--older-than", "7d")
    assert "Deleted 0 finished job(s)." in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="queue.pruned").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_queue_cli_exit_codes_in_a_real_process():
    env = child_env()
    ok = innkeeper("queue", "status", env=env)
    assert ok.returncode == 0
    assert "notifications" in ok.stdout and "workers alive: 0" in ok.stdout
    unknown = innkeeper("queue", "retry", str(uuid.uuid4()), env=env)
    assert unknown.returncode == 1
    assert "nothing was changed" in unknown.stderr
    usage = innkeeper("queue", "forget", env=env)
    assert usage.returncode == 2
    assert innkeeper("queue", "failed", env=env).stdout.strip() == "No failed jobs."
