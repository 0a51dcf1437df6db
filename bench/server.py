"""The server under test: `innkeeper serve` (granian) on the bench database, HTTP only."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.config import VENV_BIN
from bench.dbsetup import bench_env

# The server process behind each base URL `serving` yielded (for bench.cpu).
PIDS: dict[str, int] = {}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback URL we built)
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer means the server is up
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def serving(
    db_name: str, *, workers: int, threads: int, log: Path, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Yield the base URL of a running server (`env`: extra settings); stop it afterwards."""
    port = free_port()
    command = [str(VENV_BIN / "innkeeper"), "serve", "--port", str(port)]
    command += ["--workers", str(workers), "--threads", str(threads)]
    # Only HTTP is measured: the embedded job worker and scheduler would compete for the
    # same two cores (and send every booking's email). The jobs scenario runs its own worker.
    command += ["--no-worker", "--no-scheduler"]
    with log.open("ab") as out:
        proc = subprocess.Popen(  # noqa: S603
            command,
            env={**bench_env(db_name), **(env or {})},
            stdout=out,
            stderr=out,
            start_new_session=True,  # its own process group: see below
        )
    base = f"http://127.0.0.1:{port}"
    PIDS[base] = proc.pid
    try:
        wait_http(f"{base}/api/v1/rooms")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            # Killing only the main process left granian's workers running (orphans seen
            # after loaded runs): end the whole group.
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        with contextlib.suppress(ProcessLookupError):  # whatever of its group outlived it
            os.killpg(proc.pid, signal.SIGKILL)


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
