"""Backup test support: a moto S3 server, an empty database, a private PostgreSQL cluster
with pgBackRest (shared by the backup, PITR and disaster-recovery drill tests)."""

# ruff: noqa: S603, S607 - test support: fixed commands (moto_server, runuser, pg_ctl)

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from secrets import token_hex
from typing import Any

import boto3
import psycopg
import pytest
import requests
from django.db import connection

from innkeeper.testing.ports import free_port

HMAC_KEY = "offsite-test-hmac-key-0123456789"


BUCKET = "hotel-backups"


AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextmanager
def moto_s3(log_path: Path) -> Iterator[str]:
    """A moto S3 server on a free port (its output in `log_path`); yields its endpoint."""
    port = free_port()
    log = log_path.open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(endpoint, timeout=5)
                break
            except requests.RequestException:  # not listening yet, or slow to answer
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"moto_server did not start on {endpoint}") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One moto S3 server for the module."""
    with moto_s3(tmp_path_factory.mktemp("moto") / "moto.log") as endpoint:
        yield endpoint


@pytest.fixture
def s3(settings: Any, monkeypatch: Any, backup_dir: Path, s3_endpoint: str) -> Any:
    for name, value in AWS.items():
        monkeypatch.setenv(name, value)
    settings.BACKUP_HMAC_KEY = HMAC_KEY
    settings.BACKUP_S3_BUCKET = BUCKET
    settings.BACKUP_S3_ENDPOINT_URL = s3_endpoint
    settings.BACKUP_S3_PREFIX = f"t{time.monotonic_ns()}/"  # one folder per test
    settings.BACKUP_S3_RETRY_SECONDS = 0.0
    settings.BACKUP_S3_ATTEMPTS = 2
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    if BUCKET not in {b["Name"] for b in client.list_buckets()["Buckets"]}:
        client.create_bucket(Bucket=BUCKET)
    return client


def child_env(settings: Any, **extra: str) -> dict[str, str]:
    return {
        **AWS,
        "BACKUP_DIR": str(settings.BACKUP_DIR),
        "BACKUP_HMAC_KEY": HMAC_KEY,
        "BACKUP_S3_BUCKET": BUCKET,
        "BACKUP_S3_ENDPOINT_URL": settings.BACKUP_S3_ENDPOINT_URL,
        "BACKUP_S3_PREFIX": settings.BACKUP_S3_PREFIX,
        "BACKUP_S3_RETRY_SECONDS": "0",
        **extra,
    }


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """DATABASE_URL of a database that exists but holds nothing (engine of this run)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh-var' / 'innkeeper.sqlite3'}"
        return
    db = connection.settings_dict
    server = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    name = f"innkeeper_clean_{token_hex(4)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bookings_in(url: str) -> list[str]:
    query = "SELECT reference FROM bookings_booking ORDER BY reference"
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return [row[0] for row in db.execute(query)]
    with psycopg.connect(url) as db:
        return [row[0] for row in db.execute(query)]


def repo_prefix_of(settings: Any) -> str:
    return f"{settings.BACKUP_S3_PREFIX}pgbackrest/"


PG_BIN = Path("/usr/lib/postgresql/15/bin")


OWNER = "postgres"


def as_owner(*args: str) -> None:
    subprocess.run(["runuser", "-u", OWNER, "--", *args], check=True, capture_output=True)


@contextmanager
def cluster(folder: Path) -> Iterator[dict[str, Any]]:
    """A private PostgreSQL 15 cluster in `folder` (removed afterwards), owned by `postgres`,
    on a free port: {"url": its postgres database, "env": the BACKUP_PITR_* settings}."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.chown(folder, OWNER)
    port = free_port()
    data = folder / "data"
    as_owner(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(
            f"port = {port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{folder}'\nfsync = off\n"
        )
    as_owner(str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "pg.log"), "start")
    url = f"postgres://postgres@127.0.0.1:{port}/postgres"
    env = {
        "DATABASE_URL": url,
        "BACKUP_PITR_PGDATA": str(data),
        "BACKUP_PITR_CONFIG": str(folder / "pgbackrest" / "innkeeper.conf"),
        "BACKUP_PITR_REPO": str(folder / "repo"),
        "BACKUP_PITR_RUN_AS": OWNER,
        "BACKUP_PITR_SOCKET_PATH": str(folder),
    }
    try:
        yield {"url": url, "env": env}
    finally:
        stop_cluster(data, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def cluster_tools_missing() -> list[str]:
    return [t for t in (str(PG_BIN / "initdb"), "pgbackrest") if not shutil.which(t)]


@pytest.fixture
def private_cluster() -> Iterator[dict[str, Any]]:
    if connection.vendor != "postgresql":
        pytest.skip("PITR is PostgreSQL's: this test runs in the PostgreSQL pass")
    missing = cluster_tools_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"missing in CI: {missing} (make system-tools)")
        pytest.skip(f"missing: {missing} (make system-tools installs them)")
    with cluster(Path(tempfile.mkdtemp(prefix="innkeeper-pitr-"))) as made:
        yield made


def stop_cluster(data: Path, *, check: bool) -> None:
    """Stop a private cluster at once, as a crash would (pg_ctl -m immediate)."""
    subprocess.run(
        [
            "runuser",
            "-u",
            OWNER,
            "--",
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-m",
            "immediate",
            "stop",
        ],
        capture_output=True,
        check=check,
    )


def sql(url: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as db:
        cursor = db.execute(query)
        return cursor.fetchall() if cursor.description else []


def wait_archived(url: str) -> None:
    """Switch WAL and wait until the segment holding the last change is archived."""
    segment = sql(url, "SELECT pg_walfile_name(pg_switch_wal())")[0][0]
    deadline = time.monotonic() + 60
    while (sql(url, "SELECT last_archived_wal FROM pg_stat_archiver")[0][0] or "") < segment:
        assert time.monotonic() < deadline, "WAL was not archived within 60 s"
        time.sleep(0.3)
