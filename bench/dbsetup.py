"""Create, migrate and drop the bench database (psycopg on the server's `postgres` db)."""

from __future__ import annotations

import os
import subprocess

import psycopg
from psycopg import sql

from bench.config import PG_SERVER_URL, VENV_BIN, database_url


def _admin() -> psycopg.Connection:
    return psycopg.connect(f"{PG_SERVER_URL.rstrip('/')}/postgres", autocommit=True)


def drop_database(name: str) -> None:
    with _admin() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def create_database(name: str) -> None:
    drop_database(name)
    with _admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def bench_env(name: str) -> dict[str, str]:
    """Environment for every innkeeper process of the run (server, CLI, in-process selector)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(name),
        RATE_LIMITS_ENABLED="false",
        DEBUG="false",
        LOG_LEVEL="WARNING",
        REDIS_URL="",
    )
    return env


def migrate(name: str) -> None:
    subprocess.run(  # noqa: S603 (our own venv script)
        [str(VENV_BIN / "innkeeper"), "migrate", "--no-input", "-v", "0"],
        env=bench_env(name),
        check=True,
    )
