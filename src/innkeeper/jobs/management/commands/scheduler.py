"""`innkeeper scheduler`: enqueue periodic jobs when they are due. Run one; a second one
waits as a standby on the leader lock (jobs/leader.py) and takes over when the first dies."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from innkeeper.jobs.leader import leadership
from innkeeper.jobs.schedule import PERIODIC_JOBS, scheduler_tick


class Command(BaseCommand):
    help = "Run the scheduler: enqueue periodic jobs (expiry, reminders, pruning) when due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one tick, then exit")
        parser.add_argument(
            "--tick",
            type=float,
            default=settings.SCHEDULER_TICK_SECONDS,
            help="seconds between checks (default: %(default)s)",
        )
        parser.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        owner = f"{socket.gethostname()}:{os.getpid()}"
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        names = ", ".join(
            f"{j.name} {j.plan or f'every {j.every}'}" for j in PERIODIC_JOBS.values()
        )
        self.stdout.write(f"scheduler {owner}: {names}")
        self.stdout.flush()
        parent = options["parent_pid"]
        leader = leadership()
        was_leading: bool | None = None
        try:
            while not stop.is_set():
                close_old_connections()
                leading = leader.ensure()
                if leading != was_leading:
                    self.stdout.write("leader" if leading else "standby: another scheduler leads")
                    was_leading = leading
                for name in scheduler_tick(owner=owner) if leading else []:
                    self.stdout.write(f"enqueued {name}")
                self.stdout.flush()
                if options["once"] or (parent and os.getppid() != parent):
                    break
                stop.wait(options["tick"])
        finally:
            leader.release()
