"""Django's RedisCache, made optional: while Redis is down it is an always-miss cache.

Reads return the default, writes are dropped, nothing raises; after a failure Redis is left
alone for REDIS_RETRY_SECONDS (one warning per interval), then tried again, so the cache comes
back by itself. Sockets time out after REDIS_SOCKET_TIMEOUT and redis-py's retries are off.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from innkeeper.ops.circuit import RedisCircuit

logger = logging.getLogger("innkeeper.cache")
_circuits: dict[str, RedisCircuit] = {}
_circuits_lock = threading.Lock()


def _circuit_for(location: str) -> RedisCircuit:
    # Django keeps one cache object per thread; the circuit (and its log throttle) is shared.
    with _circuits_lock:
        if location not in _circuits:
            _circuits[location] = RedisCircuit(
                logger=logger,
                message="Redis cache failed, serving cache misses",
                recovered_message="Redis cache recovered",
                retry_seconds=settings.REDIS_RETRY_SECONDS,
                log_every=max(settings.REDIS_RETRY_SECONDS, 30.0),
            )
        return _circuits[location]


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        options: dict[str, Any] = params.get("OPTIONS", {})
        self._options = {"retry": Retry(NoBackoff(), 0), **options}
        self._circuit = _circuit_for(server if isinstance(server, str) else ",".join(server))

    def _safely[T](self, fallback: T, call: Callable[[], T]) -> T:
        if not self._circuit.available:
            return fallback
        try:
            result = call()
        except RedisError as error:
            self._circuit.failed(error)
            return fallback
        self._circuit.succeeded()
        return result

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._safely(
            False, lambda: super(ResilientRedisCache, self).add(key, value, timeout, version)
        )

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._safely(
            default, lambda: super(ResilientRedisCache, self).get(key, default, version)
        )

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._safely(
            None, lambda: super(ResilientRedisCache, self).set(key, value, timeout, version)
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._safely(
            False, lambda: super(ResilientRedisCache, self).touch(key, timeout, version)
        )

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._safely(False, lambda: super(ResilientRedisCache, self).delete(key, version))

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._safely({}, lambda: super(ResilientRedisCache, self).get_many(keys, version))

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._safely(False, lambda: super(ResilientRedisCache, self).has_key(key, version))

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        missing = object()
        result = self._safely(
            missing, lambda: super(ResilientRedisCache, self).incr(key, delta, version)
        )
        if result is missing:
            raise ValueError(f"Key '{key}' not found.")  # what a miss means for incr()
        count: int = int(result)  # type: ignore[call-overload]
        return count

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        return self._safely(
            list(data), lambda: super(ResilientRedisCache, self).set_many(data, timeout, version)
        )

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._safely(None, lambda: super(ResilientRedisCache, self).delete_many(keys, version))

    def clear(self) -> None:
        """Delete this cache's keys only (`KEY_PREFIX:*`), never FLUSHDB: rate-limit counters
        and anything else in the same Redis database stay. Raises RedisError when down."""
        client = self._cache.get_client(None, write=True)
        pattern = f"{self.key_prefix}:*" if self.key_prefix else "*"
        for batch in _batches(client.scan_iter(match=pattern, count=500), 500):
            client.delete(*batch)
        self._circuit.succeeded()


def _batches(items: Any, size: int) -> Any:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def cache_clear(alias: str = "default") -> str:
    """Empty the cache; returns what was done, for the operator."""
    backend = caches[alias]
    if isinstance(backend, ResilientRedisCache):
        backend.clear()
        return f"cleared Redis cache keys '{backend.key_prefix}:*' ({settings.REDIS_URL})"
    backend.clear()
    return (
        f"cleared {type(backend).__name__} in this process only; a local-memory cache lives in "
        "each server process, so restart `innkeeper serve` to empty it there"
    )
