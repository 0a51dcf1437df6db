"""`make bench`: build a fresh bench database, run every scenario, write the results.

.venv/bin/python -m bench.run [--size default|small|tiny] [--only availability,booking]
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import dbsetup
from bench.config import BENCH_DB, RESULTS_DIR, SIZES
from bench.loadgen import require_tools

SCENARIOS = ("availability", "booking", "health", "metrics", "jobs", "sqlite")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="default")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated scenarios")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--db", default=BENCH_DB, help="bench database (dropped and re-created)")
    parser.add_argument("--keep-db", action="store_true", help="leave the database afterwards")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    return parser.parse_args()


def _setup_django(db_name: str) -> None:
    os.environ.update(dbsetup.bench_env(db_name))
    os.environ["DJANGO_SETTINGS_MODULE"] = "innkeeper.settings"
    import django

    django.setup()


def main() -> None:
    args = _arguments()
    require_tools()
    only = [name for name in args.only.split(",") if name]
    unknown = set(only) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    started = time.monotonic()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M")
    print(f"bench: creating database {args.db} ({args.size} size)", flush=True)
    dbsetup.create_database(args.db)
    try:
        dbsetup.migrate(args.db)
        _setup_django(args.db)
        from bench.scenarios import run_all  # needs Django set up

        results: dict[str, Any] = {"started": stamp, "size": args.size}
        results.update(run_all(args, only))
        results["seconds"] = round(time.monotonic() - started, 1)
        from bench.report import markdown, write

        json_path, md_path = write(results, args.out)
        print(markdown(results))
        print(f"bench: wrote {json_path} and {md_path}")
    finally:
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            dbsetup.drop_database(args.db)


if __name__ == "__main__":
    main()
