"""PostgreSQL point-in-time recovery with pgBackRest, on a PRIVATE cluster this test creates in a
temporary folder (initdb/pg_ctl of PostgreSQL 15, its own port): the shared server is never
reconfigured. `innkeeper backup pitr setup` turns WAL archiving on and takes a full backup;
`innkeeper backup restore --to-time T` brings the cluster back to T (issue 17 #4)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from innkeeper.ops.backups.services import backup_run
from innkeeper.ops.tests.cli import innkeeper
from innkeeper.ops.tests.test_backup_offsite import BUCKET, child_env, s3, s3_endpoint

__all__ = ["s3", "s3_endpoint"]  # fixtures, used by name


def repo_prefix_of(settings: Any) -> str:
    return f"{settings.BACKUP_S3_PREFIX}pgbackrest/"


PG_BIN = Path("/usr/lib/postgresql/15/bin")
OWNER = "postgres"


def as_owner(*args: str) -> None:
    subprocess.run(["runuser", "-u", OWNER, "--", *args], check=True, capture_output=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def private_cluster() -> Iterator[dict[str, Any]]:
    if connection.vendor != "postgresql":
        pytest.skip("PITR is PostgreSQL's: this test runs in the PostgreSQL pass")
    missing = [t for t in (str(PG_BIN / "initdb"), "pgbackrest") if not shutil.which(t)]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"missing in CI: {missing} (make system-tools)")
        pytest.skip(f"missing: {missing} (make system-tools installs them)")
    folder = Path(tempfile.mkdtemp(prefix="innkeeper-pitr-"))
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
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


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


@pytest.mark.django_db(transaction=True)
def test_restore_to_a_point_in_time(private_cluster, settings, s3, backup_dir, make_booking):
    url = private_cluster["url"]
    env = {**child_env(settings), **private_cluster["env"]}  # + the off-site bucket (moto)
    make_booking()
    backup_run(actor="test")  # the site's data, put into the private cluster first
    loaded = innkeeper("backup", "restore", "--latest", "--yes", **env)  # BACKUP_DIR in env
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr

    setup = innkeeper("backup", "pitr", "setup", **env)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "WAL archiving on" in setup.stdout and "1 backup(s)" in setup.stdout
    assert sql(url, "SHOW archive_mode") == [("on",)]

    sql(url, "CREATE TABLE pitr_marker (what text, at timestamptz DEFAULT clock_timestamp())")
    sql(url, "INSERT INTO pitr_marker (what) VALUES ('before')")
    time.sleep(1)
    target = sql(url, "SELECT clock_timestamp()")[0][0]
    time.sleep(1)
    sql(url, "INSERT INTO pitr_marker (what) VALUES ('after'); TRUNCATE bookings_booking CASCADE")
    wait_archived(url)
    status = json.loads(innkeeper("backup", "status", "--json", **env).stdout)
    assert status["wal_archive"]["failing"] is False, status

    # The repository (backups + WAL archive) goes off-site; the host's copy is then lost.
    sync = innkeeper("backup", "pitr", "sync", **env)
    assert sync.returncode == 0, sync.stdout + sync.stderr
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=BUCKET, Prefix=repo_prefix_of(settings)
    )
    keys = [o["Key"] for page in pages for o in page.get("Contents", [])]
    assert any(k.endswith("backup/innkeeper/backup.info") for k in keys), keys[-5:]
    assert any("/archive/innkeeper/" in k and k.endswith(".gz") for k in keys), keys[:5]
    repo = Path(env["BACKUP_PITR_REPO"])
    shutil.rmtree(repo)
    pull = innkeeper("backup", "pitr", "pull", **env)
    assert pull.returncode == 0, pull.stdout + pull.stderr
    assert (repo / "backup" / "innkeeper" / "backup.info").owner() == OWNER

    started = time.monotonic()
    restore = innkeeper(
        "backup", "restore", "--to-time", target.isoformat(), "--confirm", "postgres", **env
    )
    rto = time.monotonic() - started
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert "OK: restored to" in restore.stdout
    assert sql(url, "SELECT what FROM pitr_marker") == [("before",)]
    assert sql(url, "SELECT count(*) FROM bookings_booking") == [(1,)]
    verify = innkeeper("bookings", "verify", **env)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    print(f"PITR restore (stop, restore, replay, start) took {rto:.1f} s")
