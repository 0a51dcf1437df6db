"""Two schedulers at once (a mistake, a rollout's surge pod, a standby on a second VM): one
leads through the leader lock (PostgreSQL advisory lock / SQLite file lock), the other waits,
each periodic job is enqueued once per period, and the standby takes over when the leader is
killed. Real `innkeeper scheduler` processes on the test database, on both engines."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from innkeeper.jobs.models import ScheduleEntry
from innkeeper.jobs.schedule import PERIODIC_JOBS
from innkeeper.testing.jobs import child_env, wait_for

TICK = "0.3"


class Scheduler:
    def __init__(self, name: str, log: Path) -> None:
        self.log = log
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "innkeeper.cli", "scheduler", "--tick", TICK],
                env=child_env(PYTHONUNBUFFERED="1"),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.name = name

    @property
    def output(self) -> str:
        return self.log.read_text()

    @property
    def owner(self) -> str:
        return f":{self.process.pid}"

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def enqueued_per_job() -> Counter[str]:
    return Counter(DBTaskResult.objects.values_list("task_path", flat=True))


def make_every_job_due() -> None:
    """One period passes for every job (instead of waiting an hour)."""
    for job in PERIODIC_JOBS.values():
        ScheduleEntry.objects.filter(name=job.name).update(
            last_run_at=timezone.now() - job.every - timedelta(seconds=1)
        )


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_elect_one_leader_and_the_standby_takes_over(tmp_path):
    first = Scheduler("first", tmp_path / "first.log")
    wait_for(lambda: "leader" in first.output, timeout=60, what="first scheduler leads")
    second = Scheduler("second", tmp_path / "second.log")
    try:
        wait_for(lambda: "standby" in second.output, timeout=60, what="second on standby")
        jobs = len(PERIODIC_JOBS)
        wait_for(lambda: len(enqueued_per_job()) == jobs, what="first period enqueued")

        # Two more periods with both running: each job once per period, all by the leader.
        for period in (2, 3):
            make_every_job_due()

            def period_enqueued(period: int = period) -> bool:
                return set(enqueued_per_job().values()) == {period}

            wait_for(period_enqueued, what=f"period {period} enqueued")
        owners = set(ScheduleEntry.objects.values_list("last_run_by", flat=True))
        assert len(owners) == 1 and owners.pop().endswith(first.owner)
        assert "enqueued" not in second.output and "leader" not in second.output

        # The leader dies without cleaning up; its lock goes with it.
        first.stop(signal.SIGKILL)
        wait_for(lambda: "leader" in second.output, timeout=30, what="standby takes over")
        make_every_job_due()
        wait_for(lambda: set(enqueued_per_job().values()) == {4}, what="period 4 enqueued")
        owners = set(ScheduleEntry.objects.values_list("last_run_by", flat=True))
        assert len(owners) == 1 and owners.pop().endswith(second.owner)
        assert enqueued_per_job() == Counter(
            {job.task.module_path: 4 for job in PERIODIC_JOBS.values()}
        )
    finally:
        first.stop(signal.SIGKILL)
        second.stop()
