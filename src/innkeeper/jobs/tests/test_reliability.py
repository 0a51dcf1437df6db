"""Failure scenarios with real worker processes, a real SMTP server and the real database."""

from __future__ import annotations

import json
import signal
from datetime import timedelta

import pytest
from django.tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from innkeeper.core.models import AuditEvent
from innkeeper.jobs.models import WorkerHeartbeat
from innkeeper.notifications.models import SentEmail
from innkeeper.testing.jobs import child_env, innkeeper, start, stop, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _job_status() -> str:
    return DBTaskResult.objects.get().status


def test_smtp_down_then_failed_then_retry_all_delivers_exactly_once(smtp_server, make_booking):
    smtp_server.stop()  # the mail server is down
    env = child_env(smtp_server)
    worker = start("worker", env=env)
    try:
        booking = make_booking()
        wait_for(lambda: _job_status() == TaskResultStatus.FAILED, what="job to fail")
        job = DBTaskResult.objects.get()
        assert len(job.worker_ids) == 3  # JOBS_MAX_ATTEMPTS in the test env

        listed = innkeeper("queue", "failed", env=env)
        assert listed.returncode == 0, listed.stderr
        assert str(job.id) in listed.stdout
        assert "send_booking_email" in listed.stdout
        assert "attempts=3" in listed.stdout
        assert "ConnectionRefusedError" in listed.stdout
        status = json.loads(innkeeper("queue", "status", "--json", env=env).stdout)
        notifications = next(q for q in status["queues"] if q["queue"] == "notifications")
        assert notifications["failed"] == 1

        smtp_server.start()  # the mail server is back
        retried = innkeeper("queue", "retry", "all", env=env)
        assert retried.returncode == 0, retried.stderr
        assert "Re-queued 1 job(s)." in retried.stdout
        wait_for(lambda: smtp_server.messages, what="the email")
        wait_for(lambda: _job_status() == TaskResultStatus.SUCCESSFUL, what="job to succeed")
    finally:
        output = stop(worker)
    assert "retrying in" in output
    assert len(smtp_server.messages) == 1
    assert booking.reference in smtp_server.messages[0]["Subject"]
    assert SentEmail.objects.get().status == "sent"
    assert AuditEvent.objects.filter(action="queue.retried").count() == 1
    again = innkeeper("queue", "retry", "all", env=env)
    assert (again.returncode, again.stdout.strip()) == (0, "No failed jobs to retry.")


def test_worker_killed_mid_job_runs_it_again_and_sends_once(smtp_server, make_booking):
    env = child_env(smtp_server, JOBS_MAX_ATTEMPTS="5")
    smtp_server.handler.hold_next = True
    first = start("worker", "--worker-id", "doomed-worker", env=env)
    try:
        booking = make_booking()
        # The worker is inside the SMTP conversation for this job right now.
        assert smtp_server.handler.holding.wait(20)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        smtp_server.handler.release.set()
        stop(first)
    job = DBTaskResult.objects.get()
    assert job.status == TaskResultStatus.RUNNING  # left behind by the dead worker
    assert smtp_server.messages == []

    second = start("worker", "--worker-id", "rescue-worker", env=env)
    try:
        wait_for(lambda: _job_status() == TaskResultStatus.SUCCESSFUL, what="job re-run")
    finally:
        stop(second)
    job.refresh_from_db()
    assert job.worker_ids[0] == "doomed-worker"
    assert "rescue-worker" in job.worker_ids
    assert len(smtp_server.messages) == 1
    assert booking.reference in smtp_server.messages[0]["Subject"]
    assert not WorkerHeartbeat.objects.filter(worker_id="rescue-worker").exists()


def test_two_workers_draining_one_queue_run_no_job_twice(smtp_server, make_booking, stay):
    # 16 x 0.1 s of SMTP time outlasts a worker's random start-up delay (< 1 s), so both
    # workers are in their loop while the queue drains.
    smtp_server.handler.delay = 0.1
    env = child_env(smtp_server)
    workers = [start("worker", "--worker-id", f"w{i}", env=env) for i in (1, 2)]
    try:
        wait_for(lambda: WorkerHeartbeat.objects.count() == 2, what="both workers")
        references = [
            make_booking(
                check_in=stay[0] + timedelta(days=i), check_out=stay[0] + timedelta(days=i + 1)
            ).reference
            for i in range(16)
        ]
        wait_for(
            lambda: DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 16,
            what="16 jobs done",
            timeout=40,
        )
    finally:
        for worker in workers:
            stop(worker)
    claims = [job.worker_ids for job in DBTaskResult.objects.all()]
    assert all(len(ids) == 1 for ids in claims), claims  # each job claimed exactly once
    assert {ids[0] for ids in claims} == {"w1", "w2"}  # and both workers did work
    subjects = sorted(m["Subject"] for m in smtp_server.messages)
    assert len(subjects) == 16
    assert all(any(ref in s for s in subjects) for ref in references)
