"""Test helpers for jobs and email: a real SMTP server (aiosmtpd) and real worker processes
pointed at the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

from innkeeper.testing.cli import database_url
from innkeeper.testing.smtp import SmtpServer

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
