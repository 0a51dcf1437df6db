"""Run `innkeeper ...` as a real subprocess against this test's database and a chosen Redis.
Long-lived children (workers, schedulers) are started with `innkeeper.testing.jobs`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.db import connection

SHARED_REDIS_URL = "redis://127.0.0.1:6379/0"
INNKEEPER = str(Path(sys.executable).with_name("innkeeper"))


def require_shared_redis() -> None:
    try:
        redis.Redis.from_url(SHARED_REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {SHARED_REDIS_URL} is required in CI")
        pytest.skip(f"Redis at {SHARED_REDIS_URL} is not running (CI would fail here)")


def database_url() -> str:
    """The test database as a DATABASE_URL for child processes (it must be committed data:
    use `transactional_db`)."""
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{conf['NAME']}"
    auth = conf["USER"] + (f":{conf['PASSWORD']}" if conf["PASSWORD"] else "")
    return f"postgres://{auth}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{conf['NAME']}"


def innkeeper(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "DATABASE_URL": database_url(), **env}
    return subprocess.run(  # noqa: S603 - the project's own script, fixed arguments
        [INNKEEPER, *args], env=full_env, capture_output=True, text=True, timeout=60, check=False
    )
