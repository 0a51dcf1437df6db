"""The built-in health checks: database (critical), redis, cache, queue; and for the full
report disk, storage, pending migrations and maintenance state."""

from __future__ import annotations

import contextlib
import shutil
import uuid

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from innkeeper.ops.health import (
    DEGRADED,
    HEALTHY,
    NOT_CONFIGURED,
    UNHEALTHY,
    CheckResult,
    register_check,
)

REDIS_TIMEOUT_SECONDS = 0.5


def check_database() -> CheckResult:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        # Drop the broken connection so the next request reconnects once the server is back.
        with contextlib.suppress(DatabaseError):
            connection.close()
        return CheckResult(UNHEALTHY, {"vendor": connection.vendor, "error": type(error).__name__})
    return CheckResult(HEALTHY, {"vendor": connection.vendor})


def check_redis() -> CheckResult:
    url = settings.REDIS_URL
    if not url:
        return CheckResult(NOT_CONFIGURED)
    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except redis.RedisError as error:
        return CheckResult(UNHEALTHY, {"error": type(error).__name__})
    finally:
        client.close()
    return CheckResult(HEALTHY)


def check_cache() -> CheckResult:
    cache = caches["default"]
    backend = type(cache).__name__
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    value = cache.get(key)
    cache.delete(key)
    status = HEALTHY if value == "ok" else UNHEALTHY
    return CheckResult(status, {"backend": backend})


def check_queue() -> CheckResult:
    """Queue depth from the jobs app. Degraded when the backlog passes HEALTH_QUEUE_MAX_WAITING
    or jobs wait with no live worker to take them."""
    from innkeeper.jobs.selectors import live_workers, queue_stats

    stats = queue_stats()
    waiting = sum(q.waiting for q in stats)
    oldest = max((q.oldest_waiting_seconds or 0.0 for q in stats), default=0.0)
    workers = live_workers().count()
    details = {
        "waiting": waiting,
        "running": sum(q.running for q in stats),
        "failed": sum(q.failed for q in stats),
        "oldest_waiting_seconds": round(oldest, 1),
        "live_workers": workers,
    }
    stalled = waiting > 0 and workers == 0 and oldest > settings.HEALTH_QUEUE_STALL_SECONDS
    backlog = waiting > settings.HEALTH_QUEUE_MAX_WAITING
    return CheckResult(DEGRADED if stalled or backlog else HEALTHY, details)


def check_disk() -> CheckResult:
    usage = shutil.disk_usage(settings.VAR_DIR)
    free_mb = usage.free // (1024 * 1024)
    status = DEGRADED if free_mb < settings.HEALTH_DISK_MIN_FREE_MB else HEALTHY
    return CheckResult(
        status, {"free_mb": free_mb, "used_percent": round(100 * usage.used / usage.total, 1)}
    )


def check_storage() -> CheckResult:
    """Write, read back and delete a probe through the media storage (local disk or S3)."""
    name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as probe:
            readable = probe.read() == b"ok"
    finally:
        default_storage.delete(name)
    backend = "s3" if settings.STORAGES["default"]["BACKEND"].endswith("S3Storage") else "disk"
    return CheckResult(
        HEALTHY if readable else UNHEALTHY, {"writable": readable, "backend": backend}
    )


def check_migrations() -> CheckResult:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    return CheckResult(DEGRADED if pending else HEALTHY, {"pending": pending})


def check_maintenance() -> CheckResult:
    from innkeeper.ops.maintenance import mode_of, site_mode_row

    row = site_mode_row()
    mode = mode_of(row)
    return CheckResult(
        HEALTHY,
        {
            "mode": mode,
            "message": row.message,
            "changed_by": row.changed_by,
            "changed_at": row.changed_at.isoformat() if row.changed_at else None,
        },
    )


def register_builtin_checks() -> None:
    register_check("database", check_database, critical=True)
    register_check("redis", check_redis)
    register_check("cache", check_cache)
    register_check("queue", check_queue, needs_database=True)
    register_check("disk", check_disk, full_only=True)
    register_check("storage", check_storage, full_only=True)
    register_check("migrations", check_migrations, full_only=True, needs_database=True)
    register_check("maintenance", check_maintenance, full_only=True, needs_database=True)
