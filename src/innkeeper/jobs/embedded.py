"""The worker and scheduler that `innkeeper serve` runs beside the web server (embedded
default), as child processes it starts and stops. Production runs them as their own
services and passes `--no-worker --no-scheduler`."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

logger = logging.getLogger("innkeeper.jobs")


def _spawn(*args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "innkeeper.cli", *args, "--parent-pid", str(os.getpid())]
    return subprocess.Popen(command)  # noqa: S603 - our own interpreter and CLI


@contextmanager
def background_processes(*, worker: bool, scheduler: bool) -> Iterator[list[str]]:
    """Start the requested children; stop them (SIGTERM, then SIGKILL) when the block ends."""
    children: dict[str, subprocess.Popen[bytes]] = {}
    if worker:
        children["worker"] = _spawn("worker", "--queue", "*")
    if scheduler:
        children["scheduler"] = _spawn("scheduler")
    try:
        yield [f"{name} (pid {child.pid})" for name, child in children.items()]
    finally:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        for name, child in children.items():
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                logger.warning("%s did not stop in 15 s; killing it", name)
                child.kill()
