"""The `innkeeper` console script: Django's management commands with innkeeper's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    # Everything innkeeper creates (SQLite database and WAL, backups, mail spool, var/) is
    # private to its user: 0600 files, 0700 folders.
    os.umask(0o077)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innkeeper.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "innkeeper"
    if len(args) > 1:
        # Before Django (and so prometheus-client) is imported: see multiproc.py.
        from innkeeper.ops.telemetry import multiproc

        multiproc.prepare(args[1])
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
