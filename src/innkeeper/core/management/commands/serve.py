"""`innkeeper serve`: gunicorn inside this process, with the settings already chosen."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.base import BaseApplication

from innkeeper.jobs.embedded import background_processes
from innkeeper.wsgi import application


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return application


class Command(BaseCommand):
    help = "Serve innkeeper over HTTP (gunicorn). Embedded default: 1 worker, 8 threads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="worker processes")
        parser.add_argument("--threads", type=int, default=8, help="threads per worker")
        parser.add_argument(
            "--max-requests",
            type=int,
            default=0,
            help="recycle a web worker after this many requests (0: never; caps slow leaks)",
        )
        parser.add_argument("--timeout", type=int, default=30, help="seconds per request")
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
        _Gunicorn(
            {
                "bind": f"{options['host']}:{options['port']}",
                "workers": options["workers"],
                "threads": options["threads"],
                "max_requests": options["max_requests"],
                # Jitter keeps the workers from all restarting at the same moment.
                "max_requests_jitter": options["max_requests"] // 10,
                "worker_class": "gthread",
                "timeout": options["timeout"],
                "graceful_timeout": 10,
                "accesslog": "-",
                "errorlog": "-",
                "loglevel": "info",
                # One shared default control socket per host: several servers would collide.
                "control_socket_disable": True,
            }
        ).run()
