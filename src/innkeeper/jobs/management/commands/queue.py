"""`innkeeper queue status|failed|retry|forget|prune`: the operator's view of the job queue.

Exit codes: 0 done; 1 refused (unknown or not-failed job id: nothing was changed);
2 bad usage. Destructive actions write an audit event.
"""

from __future__ import annotations

import getpass
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from innkeeper.core.audit import audit_log
from innkeeper.core.errors import ApplicationError, InvalidInput
from innkeeper.jobs import selectors as sel
from innkeeper.jobs.services import jobs_forget, jobs_prune, jobs_retry, parse_job_ids
from innkeeper.ops.cliutil import parse_age


class Command(BaseCommand):
    help = "Inspect and repair the background job queue."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help="per queue: waiting, running, failed, oldest age")
        status.add_argument("--json", action="store_true")
        failed = sub.add_parser("failed", help="list failed jobs with their error")
        failed.add_argument("--json", action="store_true")
        retry = sub.add_parser("retry", help="re-queue failed jobs: `all` or job ids")
        retry.add_argument("ids", nargs="+", metavar="all|ID")
        forget = sub.add_parser("forget", help="delete failed jobs: ids or --all-failed")
        forget.add_argument("ids", nargs="*", metavar="ID")
        forget.add_argument("--all-failed", action="store_true")
        prune = sub.add_parser("prune", help="delete finished jobs older than an age")
        prune.add_argument("--older-than", required=True, help="e.g. 7d, 12h")
        prune.add_argument("--include-failed", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            getattr(self, f"do_{action}")(options)
        except ApplicationError as error:
            usage = isinstance(error, InvalidInput)
            raise CommandError(error.detail, returncode=2 if usage else 1) from error

    def _audit(self, action: str, details: dict[str, Any]) -> None:
        audit_log(action, actor_label=getpass.getuser(), source="cli", details=details)

    def do_status(self, options: dict[str, Any]) -> None:
        stats = sel.queue_stats()
        workers = list(sel.live_workers())
        if options["json"]:
            payload = {
                "queues": [s.as_dict() for s in stats],
                "workers": [
                    {"id": w.worker_id, "host": w.hostname, "pid": w.pid, "queues": w.queues}
                    for w in workers
                ],
            }
            self.stdout.write(json.dumps(payload, indent=2))
            return
        self.stdout.write(
            f"{'queue':<16}{'waiting':>8}{'scheduled':>10}{'running':>8}{'failed':>8}"
            "  oldest waiting"
        )
        for s in stats:
            age = "-" if s.oldest_waiting_seconds is None else f"{s.oldest_waiting_seconds:.0f}s"
            self.stdout.write(
                f"{s.queue:<16}{s.waiting:>8}{s.scheduled:>10}{s.running:>8}{s.failed:>8}  {age}"
            )
        self.stdout.write(f"workers alive: {len(workers)}")
        for w in workers:
            self.stdout.write(f"  {w.worker_id} {w.hostname} pid {w.pid} queues {w.queues}")

    def do_failed(self, options: dict[str, Any]) -> None:
        rows = [
            {
                "id": str(job.id),
                "task": job.task_path,
                "queue": job.queue_name,
                "attempts": sel.attempts(job),
                "failed_at": job.finished_at.isoformat() if job.finished_at else None,
                "error": sel.error_summary(job),
                "args": job.args_kwargs,
            }
            for job in sel.failed_jobs()
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("No failed jobs.")
            return
        for row in rows:
            self.stdout.write(
                f"{row['id']}  {row['task'].rsplit('.', 1)[-1]}  queue={row['queue']}  "
                f"attempts={row['attempts']}  failed_at={row['failed_at']}\n    {row['error']}"
            )
        self.stdout.write(f"{len(rows)} failed job(s). Retry: innkeeper queue retry all")

    def do_retry(self, options: dict[str, Any]) -> None:
        raw = options["ids"]
        ids = None if raw == ["all"] else parse_job_ids(raw)
        retried = jobs_retry(ids=ids)
        if not retried:
            self.stdout.write("No failed jobs to retry.")
            return
        self._audit("queue.retried", {"ids": retried})
        self.stdout.write(self.style.SUCCESS(f"Re-queued {len(retried)} job(s)."))

    def do_forget(self, options: dict[str, Any]) -> None:
        if options["all_failed"] == bool(options["ids"]):
            raise CommandError("Give job ids or --all-failed (not both).", returncode=2)
        ids = None if options["all_failed"] else parse_job_ids(options["ids"])
        forgotten = jobs_forget(ids=ids)
        if forgotten:
            self._audit("queue.forgotten", {"ids": forgotten})
        self.stdout.write(self.style.SUCCESS(f"Deleted {len(forgotten)} failed job(s)."))

    def do_prune(self, options: dict[str, Any]) -> None:
        age = parse_age(options["older_than"], flag="--older-than")
        deleted = jobs_prune(older_than=age, include_failed=options["include_failed"])
        self._audit(
            "queue.pruned",
            {
                "older_than": options["older_than"],
                "include_failed": options["include_failed"],
                "deleted": deleted,
            },
        )
        self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} finished job(s)."))
