"""A small circuit breaker for optional Redis: after a failure, stay away for a while.

Redis is optional (cache, rate limits). When it fails we answer from a fallback at once and only
try Redis again after `retry_seconds`, so a dead or black-holed Redis costs one short timeout per
interval instead of one per request, and service resumes by itself when Redis returns.
"""

from __future__ import annotations

import logging
import threading
import time

from innkeeper.core.instruments import REDIS_FAILURES


class RedisCircuit:
    def __init__(
        self,
        *,
        logger: logging.Logger,
        message: str,
        recovered_message: str,
        retry_seconds: float,
        log_every: float,
    ) -> None:
        self.logger = logger
        self.message = message
        self.recovered_message = recovered_message
        self.retry_seconds = retry_seconds
        self.log_every = log_every
        self._open_until = 0.0
        self._last_logged = float("-inf")
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        """False while we are waiting out a recent failure."""
        return time.monotonic() >= self._open_until

    def failed(self, error: Exception) -> None:
        REDIS_FAILURES.labels(self.logger.name).inc()
        now = time.monotonic()
        with self._lock:
            self._open_until = now + self.retry_seconds
            should_log = now - self._last_logged >= self.log_every
            if should_log:
                self._last_logged = now
        if should_log:
            # Exactly the phrase the runbooks grep for; the cause goes in a separate field.
            self.logger.warning(self.message, extra={"redis_error": type(error).__name__})

    def succeeded(self) -> None:
        if self._open_until:
            with self._lock:
                self._open_until = 0.0
            self.logger.warning(self.recovered_message)
