"""Where the benchmark runs: its own PostgreSQL database, never the test databases."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
VENV_BIN = PROJECT_DIR / ".venv" / "bin"
RESULTS_DIR = BENCH_DIR / "results"
LUA_DIR = BENCH_DIR / "lua"
SQL_DIR = BENCH_DIR / "sql"

# The server URL without a database name; the bench database is created beside the others.
PG_SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
BENCH_DB = os.environ.get("BENCH_DATABASE_NAME", "innkeeper_bench")


def database_url(name: str = BENCH_DB) -> str:
    return f"{PG_SERVER_URL.rstrip('/')}/{name}"


@dataclass(frozen=True)
class Sizes:
    """How much data and how long each load runs. `--size` picks one of SIZES."""

    rooms: int  # total rooms across properties; the first property has `focus_rooms`
    focus_rooms: int
    min_rooms: int
    max_rooms: int
    days: int  # booking history + future, centred on today
    occupancy: float
    seconds: int  # duration of each wrk/pgbench load
    samples: int  # in-process selector calls per case
    emails: int  # confirmation emails the jobs scenario has one worker send


SIZES = {
    "default": Sizes(2000, 100, 20, 500, 730, 0.7, 8, 200, 500),
    "small": Sizes(400, 100, 20, 120, 730, 0.7, 4, 60, 200),
    "tiny": Sizes(40, 20, 20, 20, 60, 0.7, 1, 5, 20),
}
