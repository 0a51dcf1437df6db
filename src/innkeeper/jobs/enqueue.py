"""Enqueueing that commits or rolls back with the caller's transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.tasks import Task
from django_tasks_db import DatabaseBackend


def enqueue_with_transaction(task: Task[Any, Any], **kwargs: Any) -> None:
    """With the database backend the task row is written in the open transaction (an outbox:
    a rolled-back booking leaves no job). Other backends (Redis, ...) cannot join the
    transaction, so they are handed the job only after it commits."""
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(**kwargs), robust=True)
