"""Database helpers: retrying transactions that lost a deadlock or serialization race."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

from django.db import OperationalError, connection, transaction

logger = logging.getLogger(__name__)

# PostgreSQL SQLSTATEs worth retrying: serialization_failure, deadlock_detected.
RETRYABLE_PG_CODES = {"40001", "40P01"}
MAX_ATTEMPTS = 5


def _is_retryable(error: Exception) -> bool:
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if sqlstate in RETRYABLE_PG_CODES:
        return True
    # SQLite: the busy timeout ran out while another writer held the lock.
    return connection.vendor == "sqlite" and "database is locked" in str(error)


def atomic_with_retry[T](work: Callable[[], T], *, attempts: int = MAX_ATTEMPTS) -> T:
    """Run `work` in its own transaction, retrying deadlocks/serialization failures with jitter.

    Inside an outer transaction a retry is impossible (the transaction is aborted), so the
    work just runs and the outermost caller's retry applies.
    """
    if connection.in_atomic_block:
        return work()
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                return work()
        except OperationalError as error:
            if attempt == attempts or not _is_retryable(error):
                raise
            delay = random.uniform(0, 0.02 * 2**attempt)
            logger.warning("retrying transaction after %s (attempt %d)", error, attempt)
            time.sleep(delay)
    raise AssertionError("unreachable")
