"""What the reliability layer keeps beside django-tasks-db's own task table."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """A live worker refreshes its row; a RUNNING job whose worker went quiet is re-queued."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    queues = models.CharField(max_length=200)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class ScheduleEntry(models.Model):
    """One row per periodic job: claiming a run is a conditional UPDATE, so two schedulers
    started by mistake cannot both run the same job in the same interval."""

    name = models.CharField(max_length=80, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "schedule entries"

    def __str__(self) -> str:
        return self.name
