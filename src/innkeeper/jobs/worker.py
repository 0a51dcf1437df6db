"""The worker: django-tasks-db's loop, plus retries with backoff, heartbeats and recovery.

django-tasks-db claims a job with SELECT ... FOR UPDATE SKIP LOCKED (an exclusive transaction
on SQLite), so two workers never claim the same job; what it lacks is added here:
- a failed attempt goes back to READY with `run_after` = now + backoff, until the task's
  RetryPolicy gives up; then the job stays FAILED with its exception and traceback;
- a heartbeat thread keeps this worker's row fresh and re-queues RUNNING jobs of workers
  that went quiet for longer than JOBS_VISIBILITY_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from traceback import format_exception
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.tasks.base import TaskContext, TaskResultStatus
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from structlog.contextvars import bound_contextvars

from innkeeper.core.instruments import JOB_DURATION, JOBS
from innkeeper.jobs.logcontext import context_for
from innkeeper.jobs.models import WorkerHeartbeat
from innkeeper.jobs.retry import policy_for
from innkeeper.jobs.schedule import schedule_release, writing_job_for
from innkeeper.jobs.services import jobs_recover_stale
from innkeeper.ops.maintenance import writes_frozen

logger = logging.getLogger("innkeeper.jobs")


def heartbeat_interval() -> float:
    timeout: float = settings.JOBS_VISIBILITY_TIMEOUT_SECONDS
    return max(0.2, min(30.0, timeout / 4))


OUTCOMES = {
    TaskResultStatus.SUCCESSFUL: "succeeded",
    TaskResultStatus.FAILED: "failed",
    TaskResultStatus.READY: "retried",
}


@contextmanager
def job_context(job: DBTaskResult[..., Any]) -> Iterator[None]:
    """Every log line of the job carries its id, task and booking (when it names one)."""
    context: dict[str, object] = {"job_id": str(job.id), "task": job.task_path}
    kwargs = job.args_kwargs.get("kwargs") if isinstance(job.args_kwargs, dict) else None
    if isinstance(kwargs, dict):
        if "booking_id" in kwargs:
            context["booking_id"] = kwargs["booking_id"]
        try:
            func = job.task.func
        except Exception:  # task gone or renamed: _call reports it
            func = None
        if func is not None:
            context.update(context_for(func, kwargs))
    with bound_contextvars(**context):
        yield


class ReliableWorker(Worker):
    def run_task(self, db_task_result: DBTaskResult[..., Any]) -> None:
        labels = (db_task_result.queue_name, db_task_result.task_path.rsplit(".", 1)[-1])
        started = time.perf_counter()
        try:
            self.running_task = True
            with job_context(db_task_result):
                self._call(db_task_result)
        finally:
            self.running_task = False
            self._run_tasks += 1
            JOB_DURATION.labels(*labels).observe(time.perf_counter() - started)
            outcome = OUTCOMES.get(TaskResultStatus(db_task_result.status), "interrupted")
            JOBS.labels(*labels, outcome).inc()

    def _call(self, job: DBTaskResult[..., Any]) -> None:
        try:
            task = job.task
            result = job.task_result
        except Exception as error:  # task gone or renamed: nothing to retry
            logger.exception("job %s names no task (%s)", job.id, job.task_path)
            job.set_failed(error)
            return
        backend = type(task.get_backend())
        if self._held_for_writes(job, task.module_path):
            return
        try:
            task_started.send(sender=backend, task_result=result)
            if task.takes_context:
                value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
            else:
                value = task.call(*result.args, **result.kwargs)
            job.set_successful(value)
        except BaseException as error:
            attempt = len(job.worker_ids)
            if policy_for(task.func).should_retry(attempt, error):
                self._schedule_retry(job, error, attempt)
            else:
                job.set_failed(error)
                logger.error("job %s (%s) failed after %d attempt(s)", job.id, task.name, attempt)
                task_finished.send(sender=backend, task_result=job.task_result)
            if not isinstance(error, Exception):
                raise  # SystemExit / KeyboardInterrupt: the worker is being stopped
            return
        task_finished.send(sender=backend, task_result=job.task_result)

    def _held_for_writes(self, job: DBTaskResult[..., Any], task_path: str) -> bool:
        """A writing periodic job enqueued just before read-only/maintenance went on: skip it
        (recorded as done with a note) and make it due again, rather than write anyway."""
        periodic = writing_job_for(task_path)
        if periodic is None or not writes_frozen():
            return False
        job.set_successful({"skipped": "writes frozen (read-only or maintenance mode)"})
        schedule_release(periodic)
        logger.warning(
            "job %s (%s) skipped: writes are frozen (read-only or maintenance mode); "
            "the scheduler runs it again once writes are allowed",
            job.id,
            periodic.name,
        )
        return True

    def _schedule_retry(
        self, job: DBTaskResult[..., Any], error: BaseException, attempt: int
    ) -> None:
        delay = policy_for(job.task.func).delay(attempt)
        DBTaskResult.objects.filter(id=job.id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY,
            run_after=timezone.now() + timedelta(seconds=delay),
            exception_class_path=f"{type(error).__module__}.{type(error).__qualname__}",
            traceback="".join(format_exception(error)),
        )
        job.refresh_from_db()
        logger.warning(
            "job %s attempt %d failed (%s: %s); retrying in %.1fs",
            job.id,
            attempt,
            type(error).__name__,
            error,
            delay,
        )


class Heartbeat(threading.Thread):
    """Refreshes this worker's heartbeat and recovers jobs of dead workers, in the background.

    With `parent_pid` (set by `innkeeper serve`), the worker also stops when its parent is
    gone, so a killed server never leaves an orphan worker behind.
    """

    def __init__(self, *, worker_id: str, queues: str, parent_pid: int | None) -> None:
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.queues = queues
        self.parent_pid = parent_pid
        self.stopped = threading.Event()
        self.started_at = timezone.now()

    def beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname()[:200],
                "pid": os.getpid(),
                "queues": self.queues[:200],
                "started_at": self.started_at,
                "last_seen": timezone.now(),
            },
        )

    def run(self) -> None:
        while not self.stopped.wait(heartbeat_interval()):
            if self.parent_pid and os.getppid() != self.parent_pid:
                logger.warning("parent process %s is gone; stopping worker", self.parent_pid)
                os.kill(os.getpid(), signal.SIGTERM)
                return
            try:
                close_old_connections()
                self.beat()
                jobs_recover_stale()
            except Exception:
                logger.exception("heartbeat failed; will try again")
        connection.close()

    def stop(self) -> None:
        self.stopped.set()
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:
            logger.exception("could not remove heartbeat of %s", self.worker_id)
