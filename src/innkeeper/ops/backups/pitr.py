"""Point-in-time recovery on PostgreSQL with pgBackRest (Debian package `pgbackrest`).

`pitr_setup` writes a pgBackRest configuration (stanza BACKUP_PITR_STANZA, repository
BACKUP_PITR_REPO), turns WAL archiving on (ALTER SYSTEM; PostgreSQL is restarted when
archive_mode changes), creates the stanza, checks archiving and takes the first full backup.
`pitr_restore` stops PostgreSQL, has pgBackRest restore the newest backup before the target
and replay WAL up to it, starts PostgreSQL and waits until it accepts writes.

pgBackRest and pg_ctl must run as the cluster's owner: BACKUP_PITR_RUN_AS (e.g. postgres) when
innkeeper runs as root. pg_dump backups stay as the portable logical copy."""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections

from innkeeper.core.errors import BackupFailed, InvalidInput

logger = logging.getLogger("innkeeper.backups")
PG_BIN = "/usr/lib/postgresql/{major}/bin"
ARCHIVE_TIMEOUT_SECONDS = 60  # a quiet database still archives its WAL at least this often


def pitr_enabled() -> bool:
    return bool(settings.BACKUP_PITR_PGDATA)


def _config() -> Path:
    return Path(settings.BACKUP_PITR_CONFIG)


def _as_owner(args: list[str]) -> list[str]:
    user = settings.BACKUP_PITR_RUN_AS
    if user and pwd.getpwuid(os.getuid()).pw_name != user:
        return ["runuser", "-u", user, "--", *args]
    return args


def _run(args: list[str], what: str, timeout: float = 3600) -> str:
    done = subprocess.run(  # noqa: S603 - fixed tools, our own arguments
        _as_owner(args), capture_output=True, text=True, check=False, timeout=timeout
    )
    if done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise BackupFailed(f"{what} failed (exit {done.returncode}): {tail}")
    return done.stdout


def _pgbackrest(*args: str, timeout: float = 3600) -> str:
    tool = shutil.which("pgbackrest")
    if tool is None:
        raise BackupFailed("pgbackrest is not installed: apt-get install pgbackrest.")
    base = [tool, f"--config={_config()}", f"--stanza={settings.BACKUP_PITR_STANZA}"]
    return _run([*base, *args], f"pgbackrest {args[-1]}", timeout)


def _pg_ctl(*args: str) -> None:
    major = _server_major_of_pgdata()
    pgdata = settings.BACKUP_PITR_PGDATA
    log = Path(pgdata) / "innkeeper-pg_ctl.log"
    command = [f"{PG_BIN.format(major=major)}/pg_ctl", "-D", pgdata, "-w", "-l", str(log), *args]
    _run(command, f"pg_ctl {args[0]}", timeout=600)


def _server_major_of_pgdata() -> int:
    """From the data directory, or (a lost one) from the repository's record of the cluster."""
    marker = Path(settings.BACKUP_PITR_PGDATA) / "PG_VERSION"
    if marker.is_file():
        return int(marker.read_text().strip())
    import json

    stanzas = json.loads(_pgbackrest("--output=json", "info", timeout=120) or "[]")
    versions = [db["version"] for s in stanzas for db in s.get("db", [])]
    if not versions:
        raise BackupFailed(f"No {marker} and no cluster recorded in the pgBackRest repository.")
    return int(str(versions[-1]).split(".")[0])


def _running() -> bool:
    """Whether the cluster runs (pg_ctl status: 0 running, 3 stopped, 4 no data directory)."""
    pgdata = Path(settings.BACKUP_PITR_PGDATA)
    if not (pgdata / "PG_VERSION").is_file():
        return False
    tool = f"{PG_BIN.format(major=_server_major_of_pgdata())}/pg_ctl"
    done = subprocess.run(  # noqa: S603 - a fixed tool, our own arguments
        _as_owner([tool, "-D", str(pgdata), "status"]), capture_output=True, check=False
    )
    return done.returncode == 0


def _empty_pgdata() -> None:
    """A lost data directory is recreated empty (0700, the cluster owner's) for the restore."""
    pgdata = Path(settings.BACKUP_PITR_PGDATA)
    if pgdata.exists():
        return
    pgdata.mkdir(mode=0o700, parents=True)
    user = settings.BACKUP_PITR_RUN_AS
    if user and os.getuid() == 0:
        shutil.chown(pgdata, user, user)


def _write_config() -> None:
    db = connections["default"].settings_dict
    repo = Path(settings.BACKUP_PITR_REPO)
    lines = [
        "[global]",
        f"repo1-path={repo}",
        f"repo1-retention-full={settings.BACKUP_PITR_RETENTION_FULL}",
        "start-fast=y",
        "log-level-console=warn",
        f"log-path={repo / 'log'}",
        f"lock-path={repo / 'lock'}",
        "",
        f"[{settings.BACKUP_PITR_STANZA}]",
        f"pg1-path={settings.BACKUP_PITR_PGDATA}",
        f"pg1-port={db['PORT'] or 5432}",
    ]
    if settings.BACKUP_PITR_SOCKET_PATH:  # pgBackRest talks to the cluster over its socket
        lines.append(f"pg1-socket-path={settings.BACKUP_PITR_SOCKET_PATH}")
    config = _config()
    for folder in (config.parent, repo, repo / "log", repo / "lock"):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    config.write_text("\n".join(lines) + "\n")
    config.chmod(0o600)
    user = settings.BACKUP_PITR_RUN_AS
    if user and os.getuid() == 0:
        for path in (config.parent, config, repo, repo / "log", repo / "lock"):
            shutil.chown(path, user)


def _archive_command() -> str:
    tool = shutil.which("pgbackrest") or "pgbackrest"
    return f"{tool} --config={_config()} --stanza={settings.BACKUP_PITR_STANZA} archive-push %p"


def pitr_setup() -> dict[str, Any]:
    """Configure pgBackRest and WAL archiving, create the stanza, take a full backup."""
    if connections["default"].vendor != "postgresql":
        raise InvalidInput("Point-in-time recovery needs PostgreSQL (DATABASE_URL).")
    if not pitr_enabled():
        raise InvalidInput("Set BACKUP_PITR_PGDATA to the cluster's data directory first.")
    _write_config()
    with connections["default"].cursor() as cursor:
        cursor.execute("SHOW archive_mode")
        restart = cursor.fetchone()[0] != "on"
        for name, value in (
            ("wal_level", "replica"),
            ("archive_mode", "on"),
            ("archive_command", _archive_command()),
            ("archive_timeout", str(ARCHIVE_TIMEOUT_SECONDS)),
        ):
            cursor.execute(f"ALTER SYSTEM SET {name} = %s", [value])
        cursor.execute("SELECT pg_reload_conf()")
    connections.close_all()
    if restart:  # archive_mode and wal_level only change with a restart
        _pg_ctl("restart", "-m", "fast")
    _pgbackrest("stanza-create")
    _pgbackrest("check", timeout=600)
    _pgbackrest("--type=full", "backup")
    _repo_offsite()
    return {"config": str(_config()), "restarted": restart, "info": pitr_info()}


def pitr_backup(kind: str = "incr") -> dict[str, Any]:
    if kind not in ("full", "diff", "incr"):
        raise InvalidInput("--type is full, diff or incr.")
    _pgbackrest(f"--type={kind}", "backup")
    _repo_offsite()
    return pitr_info()


def _repo_offsite() -> None:
    """Mirror the repository off-site after a backup (when BACKUP_S3_BUCKET is set); a failure
    is alerted, not raised: the local repository is good and `backup pitr sync` retries."""
    if not settings.BACKUP_S3_BUCKET:
        return
    from innkeeper.ops.backups.offsite import S3Errors
    from innkeeper.ops.backups.pitr_offsite import pitr_repo_sync

    try:
        pitr_repo_sync()
    except S3Errors as error:
        logger.error("ALERT: copying the pgBackRest repository off-site failed: %s", error)


def pitr_info() -> dict[str, Any]:
    import json

    stanzas = json.loads(_pgbackrest("--output=json", "info", timeout=120) or "[]")
    stanza = stanzas[0] if stanzas else {}
    backups = stanza.get("backup", [])
    return {
        "status": stanza.get("status", {}).get("message", "unknown"),
        "backups": len(backups),
        "oldest_restorable": backups[0]["timestamp"]["stop"] if backups else None,
        "newest_backup": backups[-1]["timestamp"]["stop"] if backups else None,
    }


def newest_full_backup() -> datetime | None:
    """When the newest full pgBackRest backup started (None: there is none)."""
    import json

    stanzas = json.loads(_pgbackrest("--output=json", "info", timeout=120) or "[]")
    starts = [
        int(backup["timestamp"]["start"])
        for stanza in stanzas
        for backup in stanza.get("backup", [])
        if backup.get("type") == "full"
    ]
    return datetime.fromtimestamp(max(starts), tz=UTC) if starts else None


@dataclass
class PitrReport:
    target: datetime | None  # None: to the end of the archived WAL
    seconds: float


def _wait_writable(timeout: float = 600) -> None:
    db = connections["default"].settings_dict
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(
                host=db["HOST"] or "127.0.0.1",
                port=int(db["PORT"] or 5432),
                user=db["USER"] or None,
                password=db["PASSWORD"] or None,
                dbname=db["NAME"],
                connect_timeout=2,
            ) as conn:
                row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
                if row and not row[0]:
                    return
        except psycopg.OperationalError:
            pass
        if time.monotonic() > deadline:
            raise BackupFailed(f"PostgreSQL did not accept writes within {timeout:.0f} s.")
        time.sleep(0.5)


def pitr_restore(*, target: datetime | None) -> PitrReport:
    """Stop PostgreSQL (if it runs), restore to `target` (aware datetime; None: replay all the
    archived WAL, after losing the host), start it, wait until it accepts writes."""
    if not pitr_enabled():
        raise InvalidInput("No point-in-time recovery here: run `innkeeper backup pitr setup`.")
    started = time.monotonic()
    connections.close_all()
    if not _config().is_file():  # a new host: the same settings write the same configuration
        _write_config()
    if _running():
        _pg_ctl("stop", "-m", "fast")
    _empty_pgdata()
    goal = (
        ["--type=time", f"--target={target.isoformat(sep=' ')}", "--target-action=promote"]
        if target is not None
        else ["--type=default"]
    )
    try:
        _pgbackrest("--delta", *goal, "restore")
    finally:
        _pg_ctl("start")
    _wait_writable()
    return PitrReport(target=target, seconds=round(time.monotonic() - started, 1))


def wal_archive_status() -> dict[str, Any] | None:
    """WAL archiving as PostgreSQL reports it (None when PITR is not set up here).

    `lag_seconds`: how long WAL written since the last archived segment has been waiting (0
    when nothing waits: an idle database archives nothing and loses nothing). pg_walfile_name
    of a position exactly at a segment boundary names the segment before it, so after a switch
    with no new writes the current name is the archived one."""
    if not pitr_enabled() or connections["default"].vendor != "postgresql":
        return None
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT last_archived_wal, last_archived_time, last_failed_time, failed_count,"
            " extract(epoch FROM now() - coalesce(last_archived_time, pg_postmaster_start_time())),"
            " pg_walfile_name(pg_current_wal_lsn()) FROM pg_stat_archiver"
        )
        archived_wal, archived, failed, failures, since, current = cursor.fetchone()
    waiting = current > (archived_wal or "")
    return {
        "last_archived": archived,
        "last_archived_wal": archived_wal,
        "last_failed": failed,
        "failed_count": failures,
        "lag_seconds": round(float(since), 1) if waiting else 0.0,
        "failing": bool(failed and (archived is None or failed > archived)),
    }


def wal_archive_problems(status: dict[str, Any] | None) -> list[str]:
    """What `backup status` reports about WAL archiving: failing, or lagging past the limit."""
    if status is None:
        return []
    problems = []
    if status["failing"]:
        problems.append(f"WAL archiving is failing (last failure {status['last_failed']})")
    limit = settings.BACKUP_WAL_MAX_LAG_SECONDS
    if limit > 0 and status["lag_seconds"] > limit:
        problems.append(
            f"WAL archive lag {status['lag_seconds']:.0f} s (limit {limit:g} s): written WAL"
            " is not archived"
        )
    return problems
