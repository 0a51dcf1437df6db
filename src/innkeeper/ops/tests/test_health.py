from __future__ import annotations

import time
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client

from innkeeper.accounts.services import token_issue
from innkeeper.ops.health import (
    DEGRADED,
    HEALTHY,
    CheckResult,
    register_check,
    unregister_check,
)
from innkeeper.ops.health_checks import check_redis

pytestmark = pytest.mark.django_db
HEALTH_TOKEN = "monitor-token-0123456789"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.REDIS_URL = ""
    settings.HEALTH_TOKEN = HEALTH_TOKEN


@pytest.fixture
def extra_check():
    names: list[str] = []

    def add(name: str, run, **flags) -> None:
        names.append(name)
        register_check(name, run, **flags)

    yield add
    for name in names:
        unregister_check(name)


def test_live_and_up_alias(client: Client):
    for path in ("/api/health/live", "/up"):
        response = client.get(path)
        assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_ready_reports_each_dependency_with_timings(client: Client):
    for path in ("/api/health/ready", "/ready"):
        response = client.get(path)
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok" and body["mode"] == "normal"
        queue = "healthy" if apps.is_installed("django_tasks_db") else "not_configured"
        assert body["checks"] == {
            "database": "healthy",
            "redis": "not_configured",
            "cache": "healthy",
            "queue": queue,
        }
        assert all(detail["duration_ms"] >= 0 for detail in body["details"].values())
        assert response["Cache-Control"].startswith("max-age=0")


def test_full_needs_token_or_staff(client: Client, guest, staff):
    anonymous = client.get("/api/health/full")
    assert anonymous.status_code == 401
    assert anonymous["Content-Type"] == "application/problem+json"
    guest_token = token_issue(user=guest).token
    assert (
        client.get("/api/health/full", HTTP_AUTHORIZATION=f"Bearer {guest_token}").status_code
        == 401
    )
    assert client.get("/api/health/full", HTTP_X_HEALTH_TOKEN="wrong-token").status_code == 401

    staff_token = token_issue(user=staff).token
    credentials: list[dict[str, Any]] = [
        {"HTTP_AUTHORIZATION": f"Bearer {HEALTH_TOKEN}"},
        {"HTTP_X_HEALTH_TOKEN": HEALTH_TOKEN},
        {"HTTP_AUTHORIZATION": f"Bearer {staff_token}"},
    ]
    for headers in credentials:
        response = client.get("/api/health/full", **headers)
        assert response.status_code == 200, headers
    client.force_login(staff)
    body = client.get("/api/health/full").json()
    for name in ("database", "disk", "storage", "migrations", "maintenance"):
        assert body["checks"][name] == HEALTHY, name
    assert body["details"]["migrations"]["pending"] == []
    assert body["details"]["disk"]["free_mb"] > 0
    assert body["details"]["maintenance"]["mode"] == "normal"


def test_optional_failure_degrades_critical_failure_is_503(client: Client, extra_check):
    def broken() -> CheckResult:
        raise OperationalError("password=hunter2 host=10.0.0.5")  # must never be echoed

    extra_check("search_index", broken)
    degraded = client.get("/api/health/ready")
    assert degraded.status_code == 200 and degraded.json()["status"] == DEGRADED
    assert degraded.json()["details"]["search_index"]["error"] == "OperationalError"
    assert "hunter2" not in degraded.content.decode()

    extra_check("primary_store", broken, critical=True)
    down = client.get("/api/health/ready")
    assert down.status_code == 503 and down.json()["status"] == "unhealthy"
    assert "hunter2" not in down.content.decode()


def test_cli_exit_codes_follow_the_status(extra_check, capsys):
    with pytest.raises(SystemExit) as ok:
        call_command("health", "check")
    assert ok.value.code == 0
    assert "database" in capsys.readouterr().out

    extra_check("search_index", lambda: CheckResult(DEGRADED, {"lag": 5}))
    with pytest.raises(SystemExit) as degraded:
        call_command("health", "check", "--detailed", "--json")
    assert degraded.value.code == 1
    out = capsys.readouterr().out
    assert '"search_index": "degraded"' in out and '"storage": "healthy"' in out

    extra_check("primary_store", lambda: CheckResult("unhealthy"), critical=True)
    with pytest.raises(SystemExit) as down:
        call_command("health", "check")
    assert down.value.code == 2


def test_redis_check_unreachable_is_quick_and_unhealthy(settings):
    from innkeeper.testing.ports import free_port

    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    started = time.monotonic()
    result = check_redis()
    assert result.status == "unhealthy" and result.details == {"error": "ConnectionError"}
    assert time.monotonic() - started < 1.5
