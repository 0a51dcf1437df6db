"""Private services for tests that break things: PostgreSQL and `innkeeper serve` (Redis:
`redis_server`), each started in a temp dir on a free port; the shared servers are never touched."""

# Test helpers: they run fixed binaries with fixed arguments, and a throwaway secret key.
# ruff: noqa: S603, S106

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from innkeeper.testing.ports import free_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
VENV_BIN = Path(sys.executable).parent
INNKEEPER = str(VENV_BIN / "innkeeper")


def require_binary(path: Path | str, why: str) -> str:
    """The binary's path; a missing one skips outside CI and fails loudly in CI."""
    found = shutil.which(str(path))
    if found:
        return found
    message = f"{path} not found: {why}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def wait_until(predicate: object, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(interval)
    return False


# --- PostgreSQL -------------------------------------------------------------------------


@dataclass
class PrivatePostgres:
    data_dir: Path
    port: int
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._ctl("-o", options, "-l", str(self.data_dir / "server.log"), "-w", "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    initdb = require_binary(PG_BIN / "initdb", "the database-outage test needs PostgreSQL 15")
    # Not under pytest's tmp dir: that is private to root, and PostgreSQL runs as postgres.
    tmp = Path(tempfile.mkdtemp(prefix="innkeeper-pg-"))
    data_dir = tmp / "pgdata"
    data_dir.mkdir()
    # PostgreSQL refuses to run as root: run it as the postgres account then.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(tmp, "postgres")
        shutil.chown(data_dir, "postgres")
    subprocess.run(
        [*as_user, initdb, "-D", str(data_dir), "-U", "postgres", "-A", "trust", "--no-sync"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    server = PrivatePostgres(data_dir, free_port(), as_user)
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped by the test
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


# --- innkeeper itself -------------------------------------------------------------------


@dataclass
class InnkeeperServer:
    env: dict[str, str]
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log: Path = field(default_factory=Path)
    serve_args: tuple[str, ...] = ()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run `innkeeper <args>` as its own process with the server's settings."""
        result = subprocess.run(
            [INNKEEPER, *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        if check and result.returncode != 0:
            raise AssertionError(f"innkeeper {' '.join(args)} failed:\n{result.stderr}")
        return result

    def start(self) -> None:
        self.port = free_port()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    INNKEEPER,
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--threads",
                    "4",
                    *self.serve_args,
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not wait_until(self._live, 30, 0.2):
            self.stop()
            raise RuntimeError(f"innkeeper serve did not start:\n{self.log.read_text()[-3000:]}")

    def _live(self) -> bool:
        try:
            return requests.get(f"{self.base}/api/health/live", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
            self.process = None


def server_env(tmp: Path, **overrides: str) -> dict[str, str]:
    """Environment for a server and its CLI: an SQLite file in `tmp` unless overridden."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        INNKEEPER_VAR_DIR=str(tmp),
        DATABASE_URL=f"sqlite:///{tmp / 'server.sqlite3'}",
        SECRET_KEY="test-secret-key-for-subprocess-servers-only-0123456789",
        DEBUG="false",
        PYTHONUNBUFFERED="1",
        # Tests about limits turn them on explicitly; others must not trip over them.
        RATE_LIMITS_ENABLED="false",
    )
    env.update(overrides)
    return env


@contextmanager
def innkeeper_server(
    tmp: Path, serve_args: tuple[str, ...] = (), **overrides: str
) -> Iterator[InnkeeperServer]:
    """A migrated database and `innkeeper serve` on a free port, stopped afterwards."""
    server = InnkeeperServer(
        server_env(tmp, **overrides), log=tmp / "serve.log", serve_args=serve_args
    )
    server.cli("migrate", "--no-input", "-v", "0")
    server.start()
    try:
        yield server
    finally:
        server.stop()
