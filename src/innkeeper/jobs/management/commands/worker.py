"""`innkeeper worker`: run one worker process for the given queues."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string

from innkeeper.jobs.worker import Heartbeat, ReliableWorker


class Command(BaseCommand):
    help = (
        "Run a background worker (emails, expiry, pruning). Run several for more throughput; "
        "SIGTERM/Ctrl-C finishes the current job, then stops."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue",
            # Not "pitr": pgBackRest jobs need the database host's worker (--queue pitr).
            default=",".join(
                q for q in settings.TASKS["default"].get("QUEUES") or ["default"] if q != "pitr"
            ),
            help="comma-separated queues to work on, or * for all (default: %(default)s)",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=settings.JOBS_WORKER_POLL_SECONDS,
            help="seconds to wait when the queue is empty (default: %(default)s)",
        )
        parser.add_argument("--batch", action="store_true", help="run what is due, then exit")
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after N jobs")
        parser.add_argument("--worker-id", default="", help="unique id (default: random)")
        parser.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        queues = [q.strip() for q in options["queue"].split(",") if q.strip()]
        worker_id = options["worker_id"] or get_random_string(32)
        logging.getLogger("django_tasks_db").setLevel(logging.INFO)
        worker = ReliableWorker(
            queue_names=queues,
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=not options["batch"],
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        heartbeat = Heartbeat(
            worker_id=worker_id, queues=",".join(queues), parent_pid=options["parent_pid"]
        )
        heartbeat.beat()
        heartbeat.start()
        self.stdout.write(f"worker {worker_id} on queues {','.join(queues)}")
        self.stdout.flush()
        try:
            worker.configure_signals()
            worker.run()
        finally:
            heartbeat.stop()
