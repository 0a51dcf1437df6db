"""Built-in entries of the schedule. Other apps register theirs in their own ready()."""

from __future__ import annotations

from datetime import timedelta

from innkeeper.jobs.schedule import register_periodic
from innkeeper.jobs.tasks import prune_finished_jobs, prune_idempotency_records

# Both write (pruning deletes rows): paused in read-only mode.
register_periodic("jobs.prune_finished", prune_finished_jobs, every=timedelta(hours=1), writes=True)
register_periodic(
    "core.prune_idempotency", prune_idempotency_records, every=timedelta(hours=1), writes=True
)
