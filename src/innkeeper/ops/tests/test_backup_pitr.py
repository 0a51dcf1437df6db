"""PostgreSQL point-in-time recovery with pgBackRest, on a PRIVATE cluster this test creates in a
temporary folder (initdb/pg_ctl of PostgreSQL 15, its own port): the shared server is never
reconfigured. `innkeeper backup pitr setup` turns WAL archiving on and takes a full backup;
`innkeeper backup restore --to-time T` brings the cluster back to T (issue 17 #4)."""

from __future__ import annotations

import json
import shutil
import socket
import time
from pathlib import Path

import pytest

from innkeeper.ops.backups.services import backup_run
from innkeeper.testing.backups import BUCKET, OWNER, child_env, repo_prefix_of, sql, wait_archived
from innkeeper.testing.cli import innkeeper


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
