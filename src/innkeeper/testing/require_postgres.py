"""Used by `make test`: is the PostgreSQL for the second test pass reachable?

Exit 0: yes. In CI (CI set) an unreachable server fails loudly (exit 1); elsewhere the
PostgreSQL pass is skipped with a message saying why (exit 3).
"""

from __future__ import annotations

import os
import sys

import environ
import psycopg


def main(url: str) -> int:
    config = environ.Env.db_url_config(url)
    try:
        psycopg.connect(
            host=config["HOST"],
            port=config["PORT"] or 5432,
            user=config["USER"],
            password=config["PASSWORD"],
            dbname=config["NAME"],
            connect_timeout=3,
        ).close()
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0]
        if os.environ.get("CI"):
            print(
                f"PostgreSQL at {url} is unreachable ({reason}); CI requires it.", file=sys.stderr
            )
            return 1
        print(f"SKIPPING the PostgreSQL test pass: {url} is unreachable ({reason}).")
        print("Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start")
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
