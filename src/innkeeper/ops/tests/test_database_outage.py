"""A private PostgreSQL stopped under a running `innkeeper serve`: the service answers 503
with Retry-After within 3 s (never a hang or a 500), live stays 200, ready 503, and it
recovers by itself when the database is back."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from innkeeper.testing.processes import (
    InnkeeperServer,
    PrivatePostgres,
    innkeeper_server,
    private_postgres,
    wait_until,
)

pytestmark = pytest.mark.slow

OUTAGE_BOUND_SECONDS = 3.0


@pytest.fixture(scope="module")
def pg_and_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[PrivatePostgres, InnkeeperServer]]:
    tmp = tmp_path_factory.mktemp("outage")
    with private_postgres() as pg, innkeeper_server(tmp, DATABASE_URL=pg.url) as server:
        yield pg, server


def _timed_get(url: str, **kwargs: object) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.get(url, timeout=10, **kwargs)  # type: ignore[arg-type]
    return response, time.monotonic() - started


def _assert_fast_503(response: requests.Response, elapsed: float, what: str) -> None:
    assert elapsed < OUTAGE_BOUND_SECONDS, f"{what} took {elapsed:.2f}s"
    assert response.status_code == 503, f"{what}: {response.status_code} {response.text[:200]}"
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "database_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert "Traceback" not in response.text and "connection" not in response.text.lower()


def test_database_stopped_then_started(pg_and_server):
    pg, server = pg_and_server
    rooms = f"{server.base}/api/v1/rooms"
    assert requests.get(rooms, timeout=5).status_code == 200
    ready = requests.get(f"{server.base}/api/health/ready", timeout=5).json()
    assert ready["checks"]["database"] == "healthy"

    pg.stop()

    # Several rounds: the first ones meet pooled connections that just died, later ones
    # fresh connection attempts; every one must be a quick 503.
    for _ in range(3):
        _assert_fast_503(*_timed_get(rooms), what="GET /api/v1/rooms")
        _assert_fast_503(
            *_timed_get(f"{server.base}/admin/", cookies={"sessionid": "x" * 32}),
            what="GET /admin/ (page with a session)",
        )
        time.sleep(0.4)
    response, elapsed = _timed_get(f"{server.base}/api/health/ready")
    assert elapsed < OUTAGE_BOUND_SECONDS
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"] == "unhealthy"
    assert body["checks"]["queue"] == "skipped"
    assert "connection" not in response.text.lower()  # no raw exception text
    live, elapsed = _timed_get(f"{server.base}/api/health/live")
    assert (live.status_code, live.json(), elapsed < 1) == (200, {"status": "ok"}, True)

    pg.start()

    assert wait_until(lambda: requests.get(rooms, timeout=5).status_code == 200, timeout=10)
    ready = requests.get(f"{server.base}/api/health/ready", timeout=5)
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "healthy"
    assert server.process is not None and server.process.poll() is None  # never restarted
