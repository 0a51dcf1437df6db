"""Test helpers for jobs and email: a real SMTP server (aiosmtpd) and real worker processes
pointed at the test database."""

from __future__ import annotations

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import connection


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RecordingHandler:
    """Keeps every accepted message. `hold_next` makes the next DATA hang (the client is
    mid-conversation) until `release` is set; that message is then refused with a 451."""

    def __init__(self, delay: float = 0.0) -> None:
        self.messages: list[EmailMessage] = []
        self.delay = delay
        self.hold_next = False
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.hold_next:
            self.hold_next = False
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 4.3.0 Try again later"
        if self.delay:
            await asyncio.sleep(self.delay)
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=default_policy)
        with self.lock:
            self.messages.append(message)
        return "250 OK"


class SmtpServer:
    """A real SMTP server on a fixed local port that a test can stop and start again."""

    def __init__(self, port: int, handler: RecordingHandler) -> None:
        self.port = port
        self.handler = handler
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port(), RecordingHandler())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(settings: Any, smtp_server: SmtpServer) -> SmtpServer:
    """Point this process's email settings at the test SMTP server."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "timeout": 5},
        }
    }
    return smtp_server


def database_url() -> str:
    """The test database as a DATABASE_URL for child processes (it must be committed data:
    use transactional tests)."""
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{conf['NAME']}"
    auth = conf["USER"] + (f":{conf['PASSWORD']}" if conf["PASSWORD"] else "")
    return f"postgres://{auth}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{conf['NAME']}"


# Short timings so reliability scenarios finish in seconds.
FAST_JOBS = {
    "JOBS_MAX_ATTEMPTS": "3",
    "JOBS_RETRY_BASE_SECONDS": "0.05",
    "JOBS_RETRY_MAX_SECONDS": "0.2",
    "JOBS_VISIBILITY_TIMEOUT_SECONDS": "2",
    "JOBS_WORKER_POLL_SECONDS": "0.05",
    "SCHEDULER_TICK_SECONDS": "0.2",
}


def child_env(smtp: SmtpServer | None = None, **overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(FAST_JOBS)
    env["DATABASE_URL"] = database_url()
    if smtp is not None:
        env["EMAIL_URL"] = smtp.url
    env.update(overrides)
    return env


def innkeeper(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "innkeeper.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "innkeeper.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(process: subprocess.Popen[str], sig: int = signal.SIGTERM) -> str:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output or ""


def wait_for(check: Callable[[], Any], *, timeout: float = 20, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def drain() -> None:
    """Run every job that is due, in this process (the worker's real code, batch mode)."""
    from innkeeper.jobs.worker import ReliableWorker

    worker = ReliableWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-drain",
        excluded_queue_names=[],
    )
    # The loop closes "old" connections between jobs, which would close the test's
    # transaction; in this process the test owns the connection.
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        worker.run()
