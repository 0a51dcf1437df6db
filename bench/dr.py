"""RPO and RTO measured at the bench's data size (issue 17): `python -m bench.dr`.

For each engine, on a machine of its own (a temporary var/, a PRIVATE PostgreSQL cluster: the
shared server is never touched) with an off-site store (moto's S3 server) and encrypted backups
(a fresh age key): load the bench data (`--size`, default: the bench's default, ~256k
bookings), take the backups the schedule would take, make bookings continuously, lose the
machine (database, var/ and local backups deleted), restore from off-site with the private key,
serve until /api/health/ready answers 200 and run `innkeeper bookings verify`.

- SQLite: `backup run` (online copy, encrypted, off-site), `backup restore --latest --offsite`.
- PostgreSQL, PITR: `backup pitr setup` (WAL archiving, full backup, repository off-site), the
  repository synced off-site every `--sync-seconds` (as the scheduler's `ops.pitr_sync` job
  does), the cluster killed (data directory, repository and configuration deleted), then
  `backup pitr pull` + `backup restore --to-time latest`.
- PostgreSQL, pg_dump: the encrypted dump restored from off-site into an empty database.

RTO = loss to /api/health/ready 200 (download + restore + migrate + server start). RPO: the
bookings lost and the age of the oldest lost one; for PITR also how far the archived WAL
lagged when the machine was lost. Figures go to bench/results/dr-<time>.json/.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pyrage
import requests

from bench.config import PROJECT_DIR, RESULTS_DIR, SIZES, VENV_BIN
from innkeeper.testing.backups import (
    AWS,
    cluster,
    cluster_tools_missing,
    moto_s3,
    sql,
    stop_cluster,
)
from innkeeper.testing.ports import free_port

ENGINES = ("sqlite", "postgresql")
BUCKET = "innkeeper-dr"
RTO_TARGET_SECONDS = 15 * 60  # the seeds' targets
RPO_TARGET_SECONDS = 5 * 60
Result = dict[str, Any]
NO_BACKGROUND = ("--no-worker", "--no-scheduler")  # the HTTP server alone: time to serve


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="default")
    parser.add_argument("--only", default=",".join(ENGINES), help="sqlite,postgresql")
    parser.add_argument(
        "--write-seconds", type=float, default=150, help="bookings made after the backups"
    )
    parser.add_argument(
        "--sync-seconds", type=float, default=60, help="pgBackRest repository sync interval"
    )
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    return parser.parse_args()


def _cli(env: dict[str, str], *args: str, timeout: float = 3600) -> str:
    done = subprocess.run(  # noqa: S603 - our own venv script
        [str(VENV_BIN / "innkeeper"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"innkeeper {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _timed(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.monotonic()
    out = _cli(env, *args)
    return round(time.monotonic() - started, 1), out


def _child(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-m", "bench.dr_child", *args],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def _load(env: dict[str, str], size: str) -> Result:
    _cli(env, "migrate", "--no-input", "-v", "0")
    loader = _child(env, "load", "--size", size)
    out, _ = loader.communicate(timeout=3600)
    if loader.returncode != 0:
        raise RuntimeError(f"loading the bench data failed:\n{out}")
    line = next(row for row in out.splitlines() if row.startswith("DR_LOAD "))
    loaded: Result = json.loads(line.removeprefix("DR_LOAD "))
    print(f"dr: loaded {loaded['bookings']} bookings in {loaded['seconds']} s", flush=True)
    return loaded


class Writer:
    """`bench.dr_child write` in its own process; `made` = [(reference, commit time)]."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = _child(env, "write")
        self.made: list[tuple[str, float]] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            reference, at = line.split()
            self.made.append((reference, float(at)))

    def wait_for(self, count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while len(self.made) < count:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"the booking writer stopped after {len(self.made)} bookings")
            time.sleep(0.1)

    def kill(self) -> float:
        """The machine dies: no more bookings. Returns the time of the loss."""
        self.process.kill()
        self.process.wait(timeout=30)
        self.reader.join(timeout=10)
        return time.time()


def _serve_ready(env: dict[str, str], started: float) -> float:
    """Start `innkeeper serve` and return seconds from `started` until ready answers 200."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own venv script
        [str(VENV_BIN / "innkeeper"), "serve", "--port", str(port), *NO_BACKGROUND],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                url = f"http://127.0.0.1:{port}/api/health/ready"
                if requests.get(url, timeout=5).status_code == 200:
                    return round(time.monotonic() - started, 1)
            except requests.RequestException:  # not listening yet
                pass
            if server.poll() is not None:
                raise RuntimeError("innkeeper serve exited before it was ready")
            time.sleep(0.2)
        raise RuntimeError("innkeeper serve was not ready within 600 s")
    finally:
        server.terminate()
        server.wait(timeout=30)


def _references(url: str) -> set[str]:
    query = "SELECT reference FROM bookings_booking"
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return {row[0] for row in db.execute(query)}
    with psycopg.connect(url) as db:
        return {row[0] for row in db.execute(query)}


def _losses(made: list[tuple[str, float]], restored: set[str], lost_at: float) -> Result:
    lost = [at for ref, at in made if ref not in restored]
    kept = [at for ref, at in made if ref in restored]
    return {
        "bookings_made_during_drill": len(made),
        "bookings_lost": len(lost),
        "oldest_lost_seconds": round(lost_at - min(lost), 1) if lost else 0.0,
        # The data-loss window: from the newest booking that came back to the loss.
        "loss_window_seconds": round(lost_at - max(kept), 1) if kept else None,
        "lost_only_after_newest_kept": all(at > max(kept, default=0) for at in lost),
    }


def _restore_check(env: dict[str, str], started: float, *restore: str) -> Result:
    """Restore, serve until ready, verify; seconds are counted from `started` (the loss)."""
    _cli(env, *restore)
    restored = round(time.monotonic() - started, 1)
    ready = _serve_ready(env, started)
    verify = _cli(env, "bookings", "verify")
    return {"restore_seconds": restored, "rto_seconds": ready, "verify": verify.strip()[-200:]}


def _machine_env(base: dict[str, str], var: Path, database_url: str) -> dict[str, str]:
    return base | {
        "DATABASE_URL": database_url,
        "INNKEEPER_VAR_DIR": str(var),
        "MEDIA_ROOT": str(var / "media"),
        "BACKUP_DIR": str(var / "backups"),
    }


def measure_sqlite(base: dict[str, str], work: Path, args: argparse.Namespace) -> Result:
    var = work / "sqlite-var"
    url = f"sqlite:///{var / 'innkeeper.sqlite3'}"
    env = _machine_env(base, var, url) | {"BACKUP_S3_PREFIX": "sqlite/"}
    loaded = _load(env, args.size)
    writer = Writer(env)
    writer.wait_for(20)
    backup_seconds, out = _timed(env, "backup", "run", "--json")
    manifest = json.loads(out)
    writer.wait_for(len(writer.made) + 20)
    time.sleep(max(0.0, args.write_seconds / 10))  # the scheduled dump's RPO is its interval
    lost_at = writer.kill()
    shutil.rmtree(var)  # the machine is lost: database, media, local backups
    print("dr: sqlite machine lost; restoring from off-site", flush=True)
    started = time.monotonic()
    key = base["DR_KEY_FILE"]
    result = _restore_check(
        env, started, "backup", "restore", "--latest", "--offsite", "--yes", "--key-file", key
    )
    losses = _losses(writer.made, _references(url), lost_at)
    return {
        "engine": "sqlite (online copy, encrypted, off-site)",
        "data": loaded,
        "backup_seconds": backup_seconds,
        "backup_bytes": manifest["size"] + manifest["files"]["size"],
        "rpo_bound": "BACKUP_SCHEDULE interval (default 4 h)",
        **result,
        **losses,
    }


def _pitr_drill(
    env: dict[str, str], url: str, args: argparse.Namespace
) -> tuple[Writer, float, Result]:
    """Bookings for --write-seconds while the repository is synced every --sync-seconds;
    then the cluster dies. Returns the writer, the loss time and what was seen at the loss."""
    stopped = threading.Event()
    syncs: list[float] = []

    def sync() -> None:
        while not stopped.wait(args.sync_seconds):
            _cli(env, "backup", "pitr", "sync")
            syncs.append(time.time())

    writer = Writer(env)
    syncer = threading.Thread(target=sync, daemon=True)
    syncer.start()
    time.sleep(args.write_seconds)
    lag = sql(url, "SELECT extract(epoch FROM now() - last_archived_time) FROM pg_stat_archiver")
    stopped.set()
    syncer.join(timeout=600)
    lost_at = writer.kill()
    seen = {
        "wal_archive_lag_at_loss_seconds": round(float(lag[0][0] or 0), 1),
        "last_sync_age_at_loss_seconds": round(lost_at - syncs[-1], 1) if syncs else None,
        "syncs": len(syncs),
    }
    return writer, lost_at, seen


def _lose_cluster(env: dict[str, str]) -> None:
    data = Path(env["BACKUP_PITR_PGDATA"])
    stop_cluster(data, check=True)
    shutil.rmtree(data)
    shutil.rmtree(env["BACKUP_PITR_REPO"])
    shutil.rmtree(Path(env["BACKUP_PITR_CONFIG"]).parent)


def _du(path: str) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def measure_postgresql(base: dict[str, str], work: Path, args: argparse.Namespace) -> Result:
    # Its own temporary folder: the cluster's owner (postgres) cannot enter `work` (0700).
    with cluster(Path(tempfile.mkdtemp(prefix="innkeeper-dr-pg-"))) as made:
        server = made["url"].removesuffix("/postgres")
        sql(made["url"], "CREATE DATABASE innkeeper")
        url = f"{server}/innkeeper"
        env = _machine_env(base | made["env"], work / "pg-var", url)
        env["BACKUP_S3_PREFIX"] = "postgresql/"
        loaded = _load(env, args.size)
        setup_seconds, _ = _timed(env, "backup", "pitr", "setup")
        repo_bytes = _du(env["BACKUP_PITR_REPO"])
        dump_seconds, out = _timed(env, "backup", "run", "--json")
        manifest = json.loads(out)
        writer, lost_at, seen = _pitr_drill(env, url, args)
        _lose_cluster(env)
        print("dr: postgresql cluster lost; PITR from off-site", flush=True)
        started = time.monotonic()
        pull = _cli(env, "backup", "pitr", "pull")
        pitr = _restore_check(env, started, "backup", "restore", "--to-time", "latest", "--yes")
        pitr |= {"pull": pull.strip()} | seen | _losses(writer.made, _references(url), lost_at)
        # The portable copy: the encrypted pg_dump from off-site into an empty database.
        sql(made["url"], "CREATE DATABASE innkeeper_clean")
        clean = _machine_env(env, work / "pg-var-clean", f"{server}/innkeeper_clean")
        print("dr: postgresql pg_dump restore into an empty database", flush=True)
        started = time.monotonic()
        key = base["DR_KEY_FILE"]
        dump = _restore_check(
            clean, started, "backup", "restore", "--latest", "--offsite", "--yes", "--key-file", key
        )
        dump |= _losses(writer.made, _references(f"{server}/innkeeper_clean"), lost_at)
    return {
        "engine": "postgresql",
        "data": loaded,
        "pitr_setup_seconds": setup_seconds,
        "pgbackrest_repo_bytes": repo_bytes,
        "pg_dump_seconds": dump_seconds,
        "pg_dump_bytes": manifest["size"] + manifest["files"]["size"],
        "pitr": pitr | {"rpo_bound": "archive_timeout 60 s + sync interval"},
        "pg_dump": dump | {"rpo_bound": "BACKUP_SCHEDULE interval (default 4 h)"},
    }


@contextmanager
def _off_site(work: Path) -> Iterator[dict[str, str]]:
    """moto's S3 server with a bucket, a fresh age key pair; the environment both need."""
    import boto3

    identity = pyrage.x25519.Identity.generate()
    key_file = work / "backup.key"
    key_file.write_text(f"{identity}\n")
    key_file.chmod(0o600)
    with moto_s3(work / "moto.log") as endpoint:
        os.environ.update(AWS)
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
        yield (
            dict(os.environ)
            | AWS
            | {
                "DJANGO_SETTINGS_MODULE": "innkeeper.settings",
                "BACKUP_S3_BUCKET": BUCKET,
                "BACKUP_S3_ENDPOINT_URL": endpoint,
                "BACKUP_HMAC_KEY": "dr-measurement-hmac-key-0123456789",
                "BACKUP_PUBLIC_KEYS": str(identity.to_public()),
                "BACKUP_SCHEDULE": "off",
                "RATE_LIMITS_ENABLED": "false",
                "LOG_LEVEL": "WARNING",
                "REDIS_URL": "",
                "DEBUG": "false",
                "DR_KEY_FILE": str(key_file),
            }
        )


def main() -> None:
    args = _arguments()
    only = [name for name in args.only.split(",") if name]
    if set(only) - set(ENGINES):
        raise SystemExit(f"--only takes {', '.join(ENGINES)}")
    if "postgresql" in only and cluster_tools_missing():
        raise SystemExit(f"missing: {cluster_tools_missing()} (make system-tools)")
    started, stamp = time.monotonic(), datetime.now(UTC).strftime("%Y-%m-%dT%H%M")
    results: Result = {"started": stamp, "size": args.size, "engines": []}
    work = Path(tempfile.mkdtemp(prefix="innkeeper-dr-"))
    try:
        with _off_site(work) as base:
            for engine in only:
                print(f"dr: {engine} ({args.size} size)", flush=True)
                measure = measure_sqlite if engine == "sqlite" else measure_postgresql
                results["engines"].append(measure(base, work, args))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["seconds"] = round(time.monotonic() - started, 1)
    from bench.dr_report import write

    print(write(results, args.out), flush=True)


if __name__ == "__main__":
    main()
