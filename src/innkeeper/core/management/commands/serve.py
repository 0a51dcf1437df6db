"""`innkeeper serve`: granian in front of innkeeper's WSGI app, with the settings already chosen
(`innkeeper.core.serving` says why not gunicorn)."""

from __future__ import annotations

import os
import resource
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections
from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.server import Server

from innkeeper.core.serving.app import BODY_TIMEOUT_ENV, MAX_REQUESTS_ENV, THREADS_ENV
from innkeeper.jobs.embedded import background_processes

BACKLOG = 2048
CONCURRENT_CONNECTIONS = 16384
OPEN_FILES_WANTED = 65536


def _raise_open_files_limit() -> None:
    """Each connection is a file descriptor: lift the soft limit (often 1024) to what the
    hard limit allows, so a slow-client flood does not starve the listener."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = OPEN_FILES_WANTED if hard == resource.RLIM_INFINITY else min(hard, OPEN_FILES_WANTED)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


class Command(BaseCommand):
    help = "Serve innkeeper over HTTP (granian). Embedded default: 1 worker, 8 threads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="worker processes")
        parser.add_argument("--threads", type=int, default=8, help="threads per worker")
        parser.add_argument(
            "--max-requests",
            type=int,
            default=0,
            help="recycle the web workers after about this many requests (0: never; caps "
            "slow leaks)",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=30,
            help="seconds a stopping worker gets to finish its requests before it is killed",
        )
        parser.add_argument(
            "--header-timeout",
            type=int,
            default=None,
            help="close connections whose headers take longer (default SERVER_HEADER_TIMEOUT)",
        )
        parser.add_argument(
            "--body-timeout",
            type=int,
            default=None,
            help="408 for bodies that take longer (default SERVER_BODY_TIMEOUT)",
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="don't run a job worker beside the server"
        )
        parser.add_argument(
            "--no-scheduler", action="store_true", help="don't run the scheduler beside it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = f"http://{options['host']}:{options['port']}"
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(
            f"innkeeper serving on {url}  (database: {engine})\n"
            f"  API:       {url}/api/v1/  (docs: {url}/api/v1/docs)\n"
            f"  Admin:     {url}/admin/\n"
            "  Stop with Ctrl-C."
        )
        self.stdout.flush()
        with background_processes(
            worker=not options["no_worker"], scheduler=not options["no_scheduler"]
        ) as children:
            if children:
                self.stdout.write("  Background: " + ", ".join(children))
                self.stdout.flush()
            self._serve(options)

    def _serve(self, options: dict[str, Any]) -> None:
        header_timeout = options["header_timeout"] or settings.SERVER_HEADER_TIMEOUT
        body_timeout = options["body_timeout"] or settings.SERVER_BODY_TIMEOUT
        # Read by the worker processes (innkeeper.core.serving.app.build).
        os.environ[THREADS_ENV] = str(options["threads"])
        os.environ[MAX_REQUESTS_ENV] = str(options["max_requests"])
        os.environ[BODY_TIMEOUT_ENV] = str(body_timeout)
        connections.close_all()  # workers may be forked: no connection shared with them
        _raise_open_files_limit()
        Server(
            "innkeeper.core.serving.app:build",
            factory=True,
            # ASGI without lifespan; the app runs Django (WSGI) in its own thread pool.
            interface=Interfaces.ASGINL,
            address=options["host"],
            port=options["port"],
            workers=options["workers"],
            http=HTTPModes.http1,
            # Waiting clients cost a coroutine each, not a thread: let thousands wait (their
            # deadlines end them) rather than stop accepting at granian's default of 1024.
            backlog=BACKLOG,
            backpressure=CONCURRENT_CONNECTIONS,
            # hyper's limit is for the whole header block, so trickled headers are cut too.
            http1_settings=HTTP1Settings(header_read_timeout=min(header_timeout, 60) * 1000),
            # The bridge writes the access lines (core/serving/bridge.py: redacted paths).
            log_access=False,
            respawn_failed_workers=True,
            respawn_interval=1.0,
            workers_kill_timeout=options["timeout"],
        ).serve()
