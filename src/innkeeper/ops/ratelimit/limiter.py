"""A moving-window limiter on Redis that falls back to in-process counting when Redis fails.

Nothing here may make a login or a booking wait on Redis: sockets time out quickly, redis-py's
own retries are off, and after a failure the circuit keeps us on the in-process counters for
REDIS_RETRY_SECONDS before Redis is tried again (so it recovers without a restart).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from limits import RateLimitItem
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from innkeeper.ops.circuit import RedisCircuit

logger = logging.getLogger("innkeeper.ratelimit")
FALLBACK_MESSAGE = "Redis rate limiter failed, using fallback"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # epoch seconds when the oldest counted hit leaves the window

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.reset_at - time.time()))

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at)),
        }


class ResilientLimiter:
    def __init__(
        self, *, redis_url: str, key_prefix: str, socket_timeout: float, retry_seconds: float
    ) -> None:
        self.memory = MemoryStorage()
        self._memory_limiter = MovingWindowRateLimiter(self.memory)
        self.redis: RedisStorage | None = None
        self._redis_limiter: MovingWindowRateLimiter | None = None
        if redis_url:
            options: dict[str, Any] = {
                "socket_timeout": socket_timeout,
                "socket_connect_timeout": socket_timeout,
                "retry": Retry(NoBackoff(), 0),
            }
            self.redis = RedisStorage(redis_url, key_prefix=key_prefix, **options)
            self._redis_limiter = MovingWindowRateLimiter(self.redis)
        self.circuit = RedisCircuit(
            logger=logger,
            message=FALLBACK_MESSAGE,
            recovered_message="Redis rate limiter recovered, counting in Redis again",
            retry_seconds=retry_seconds,
            log_every=max(retry_seconds, 30.0),
        )

    @property
    def using_redis(self) -> bool:
        return self._redis_limiter is not None and self.circuit.available

    def _run[T](self, operation: Callable[[MovingWindowRateLimiter], T]) -> T:
        if self._redis_limiter is not None and self.circuit.available:
            try:
                result = operation(self._redis_limiter)
            except RedisError as error:
                self.circuit.failed(error)
            else:
                self.circuit.succeeded()
                return result
        return operation(self._memory_limiter)

    def hit(self, item: RateLimitItem, *identity: str) -> Decision:
        """Count one hit; `allowed` is False (and nothing counted) when the window is full."""

        def operation(limiter: MovingWindowRateLimiter) -> Decision:
            allowed = limiter.hit(item, *identity)
            return _decision(limiter, item, identity, allowed)

        return self._run(operation)

    def peek(self, item: RateLimitItem, *identity: str) -> Decision:
        """Where `identity` stands, without counting a hit."""

        def operation(limiter: MovingWindowRateLimiter) -> Decision:
            return _decision(limiter, item, identity, limiter.test(item, *identity))

        return self._run(operation)


def _decision(
    limiter: MovingWindowRateLimiter, item: RateLimitItem, identity: tuple[str, ...], allowed: bool
) -> Decision:
    reset_at, remaining = limiter.get_window_stats(item, *identity)
    return Decision(allowed=allowed, limit=item.amount, remaining=remaining, reset_at=reset_at)


_lock = threading.Lock()
_current: tuple[tuple[Any, ...], ResilientLimiter] | None = None


def get_limiter() -> ResilientLimiter:
    """The process-wide limiter for the current settings (rebuilt when they change)."""
    global _current
    config = (
        settings.REDIS_URL,
        settings.RATE_LIMIT_KEY_PREFIX,
        settings.REDIS_SOCKET_TIMEOUT,
        settings.REDIS_RETRY_SECONDS,
    )
    with _lock:
        if _current is None or _current[0] != config:
            limiter = ResilientLimiter(
                redis_url=config[0],
                key_prefix=config[1],
                socket_timeout=config[2],
                retry_seconds=config[3],
            )
            _current = (config, limiter)
        return _current[1]
