"""Leader election for the scheduler: the process holding the lock runs the schedule, any
other scheduler waits as a hot standby and takes over once the holder's lock goes away (its
process died, its database session ended). The conditional claim in schedule.py stays as a
second guard, so even two leaders could not enqueue a job twice in one interval.

PostgreSQL: a session-level advisory lock on a connection of its own (Django's connection is
recycled by close_old_connections, which would drop the lock). SQLite: an exclusive flock on
a file beside the database; SQLite lives on one machine, so every scheduler that can share
the database can share the file lock too."""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import IO, Any

from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger("innkeeper.scheduler")

# pg advisory lock key: "innkeeper scheduler", stable across releases (any bigint works).
ADVISORY_LOCK_KEY = 0x696E6E6B_73636864


class PostgresLeaderLock:
    def __init__(self, alias: str = "default") -> None:
        self.alias = alias
        self._connection: BaseDatabaseWrapper | None = None

    def _query(self, sql: str) -> Any:
        if self._connection is None:
            self._connection = connections.create_connection(self.alias)
        with self._connection.cursor() as cursor:
            cursor.execute(sql, [ADVISORY_LOCK_KEY] if "%s" in sql else [])
            return cursor.fetchone()[0]

    def acquire(self) -> bool:
        return bool(self._query("SELECT pg_try_advisory_lock(%s)"))

    def held(self) -> bool:
        """The lock lives as long as the session: ask the server that it still has it."""
        count = self._query(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND pid = pg_backend_pid()"
        )
        return bool(count)

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()  # ends the session, which frees the lock
            finally:
                self._connection = None


class FileLeaderLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def acquire(self) -> bool:
        handle = self.path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the descriptor frees the flock
            self._file = None


class Leadership:
    """`ensure()` once per tick: True while this process leads (acquiring when it can)."""

    def __init__(self, lock: PostgresLeaderLock | FileLeaderLock) -> None:
        self.lock = lock
        self.leading = False

    def ensure(self) -> bool:
        try:
            now_leading = self.lock.held() if self.leading else self.lock.acquire()
        except DatabaseError:
            logger.warning("scheduler lock unreachable (database down?); standing by")
            self.lock.release()
            now_leading = False
        if now_leading != self.leading:
            logger.info("scheduler %s", "is the leader" if now_leading else "is on standby")
        self.leading = now_leading
        return now_leading

    def release(self) -> None:
        self.lock.release()
        self.leading = False


def leadership(alias: str = "default") -> Leadership:
    settings_dict = connections[alias].settings_dict
    if connections[alias].vendor == "postgresql":
        return Leadership(PostgresLeaderLock(alias))
    return Leadership(FileLeaderLock(Path(f"{settings_dict['NAME']}.scheduler-lock")))
