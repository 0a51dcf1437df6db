"""One running `innkeeper serve` (SQLite file + private redis-server); operators switch modes
with the real `innkeeper` CLI in other processes, and the server must follow within seconds."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from innkeeper.testing.processes import InnkeeperServer, innkeeper_server, wait_until
from innkeeper.testing.redis_server import PrivateRedis, private_redis

pytestmark = pytest.mark.slow

SECRET = "incident-4242"
PROPAGATION_SECONDS = 5.0  # the per-process snapshot lives 1 s; leave room for a slow CI

# Pages answer browsers (Accept: text/html) with HTML and other clients with problem+json.
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[InnkeeperServer, PrivateRedis]]:
    tmp = tmp_path_factory.mktemp("live")
    with (
        private_redis() as redis_server,
        innkeeper_server(tmp, REDIS_URL=redis_server.url, TRUSTED_PROXIES="1") as server,
    ):
        yield server, redis_server


@pytest.fixture
def server(live: tuple[InnkeeperServer, PrivateRedis]) -> InnkeeperServer:
    return live[0]


def _status_becomes(
    url: str, status: int, headers: dict[str, str] | None = None
) -> requests.Response:
    """GET `url` until it answers `status` (a switch reaches other processes within ~1 s)."""
    last: list[requests.Response] = []

    def check() -> bool:
        last[:] = [requests.get(url, headers=headers, timeout=5)]
        return last[0].status_code == status

    assert wait_until(check, PROPAGATION_SECONDS, 0.2), (
        f"{url} never answered {status}: {last[0].status_code} {last[0].text[:200]}"
    )
    return last[0]


def _audit_actions(server: InnkeeperServer) -> list[str]:
    db = Path(server.env["DATABASE_URL"].removeprefix("sqlite:///"))
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT action, actor_label, source FROM core_auditevent ORDER BY id")
        return [f"{action} {source} {bool(actor)}" for action, actor, source in rows]


def test_maintenance_switched_by_cli_reaches_the_running_server(server):
    rooms = f"{server.base}/api/v1/rooms"
    assert requests.get(rooms, timeout=5).status_code == 200

    out = server.cli(
        "maintenance",
        "down",
        "--secret",
        SECRET,
        "--message",
        "Upgrading the database",
        "--retry",
        "120",
        "--refresh",
        "15",
    ).stdout
    assert "Maintenance mode ON" in out

    api = _status_becomes(rooms, 503)
    assert api.headers["Content-Type"] == "application/problem+json"
    assert api.headers["Retry-After"] == "120"
    assert api.json()["code"] == "maintenance"
    assert api.json()["detail"] == "Upgrading the database"
    page = requests.get(f"{server.base}/", headers=BROWSER, timeout=5)
    assert page.status_code == 503 and page.headers["Content-Type"].startswith("text/html")
    assert "Upgrading the database" in page.text
    assert page.headers["Refresh"] == "15" and 'http-equiv="refresh" content="15"' in page.text
    live = requests.get(f"{server.base}/api/health/live", timeout=5)
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    ready = requests.get(f"{server.base}/ready", timeout=5)
    assert ready.status_code == 200 and ready.json()["mode"] == "maintenance"
    assert "maintenance: on" in server.cli("maintenance", "status").stdout

    # A wrong secret gets the maintenance answer and no cookie; the right one gets the cookie.
    wrong = requests.get(f"{server.base}/incident-4243", timeout=5, allow_redirects=False)
    assert wrong.status_code == 503 and "innkeeper_bypass" not in wrong.cookies
    forged = requests.get(rooms, cookies={"innkeeper_bypass": "forged:value"}, timeout=5)
    assert forged.status_code == 503
    session = requests.Session()
    bypass = session.get(f"{server.base}/{SECRET}", timeout=5, allow_redirects=False)
    assert bypass.status_code == 302 and bypass.headers["Location"] == "/"
    assert "innkeeper_bypass" in session.cookies
    assert session.get(rooms, timeout=5).status_code == 200
    assert session.get(f"{server.base}/", timeout=5).status_code == 200

    server.cli("maintenance", "up")
    _status_becomes(rooms, 200)
    assert "maintenance: off" in server.cli("maintenance", "status").stdout
    actions = _audit_actions(server)
    assert "maintenance.enabled cli True" in actions
    assert "maintenance.disabled cli True" in actions


def test_read_only_switched_by_cli_freezes_writes_only(server):
    register = f"{server.base}/api/v1/auth/register"
    account = {"email": "ro@example.com", "password": "a-long-test-password-42", "name": "Ro"}
    server.cli("maintenance", "read-only", "on")

    def register_refused() -> bool:
        return requests.post(register, json=account, timeout=5).status_code == 503

    assert wait_until(register_refused, PROPAGATION_SECONDS, 0.2)
    refused = requests.post(register, json=account, timeout=5)
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "read_only" and "Retry-After" in refused.headers
    assert requests.get(f"{server.base}/api/v1/rooms", timeout=5).status_code == 200
    for method in ("put", "patch", "delete"):
        response = requests.request(method, f"{server.base}/api/v1/rooms/1", json={}, timeout=5)
        assert response.json()["code"] == "read_only", method
    admin_write = requests.post(
        f"{server.base}/admin/bookings/booking/add/", headers=BROWSER, timeout=5
    )
    assert admin_write.status_code == 503
    assert admin_write.headers["Content-Type"].startswith("text/html")
    assert "read-only mode" in admin_write.text

    server.cli("maintenance", "read-only", "off")
    assert wait_until(
        lambda: requests.post(register, json=account, timeout=5).status_code == 202,
        PROPAGATION_SECONDS,
        0.2,
    )
    actions = _audit_actions(server)
    assert "maintenance.read_only_enabled cli True" in actions
    assert "maintenance.read_only_disabled cli True" in actions


def test_blocked_network_gets_403_in_the_running_server(server):
    rooms = f"{server.base}/api/v1/rooms"
    attacker = {"X-Forwarded-For": "203.0.113.77"}
    neighbour = {"X-Forwarded-For": "198.51.100.7"}
    server.cli("security", "block-ip", "203.0.113.0/24", "--reason", "credential stuffing")
    blocked = _status_becomes(rooms, 403, headers=attacker)
    assert blocked.json()["code"] == "ip_blocked"
    assert requests.get(rooms, headers=neighbour, timeout=5).status_code == 200
    listing = server.cli("security", "blocked").stdout
    assert "203.0.113.0/24" in listing and "credential stuffing" in listing
    again = server.cli("security", "block-ip", "203.0.113.0/24", check=False)
    assert again.returncode == 1 and "already blocked" in again.stderr

    server.cli("security", "unblock-ip", "203.0.113.0/24")
    _status_becomes(rooms, 200, headers=attacker)
    assert "No blocked addresses." in server.cli("security", "blocked").stdout


def test_ready_degrades_while_redis_is_down_and_recovers(live):
    server, redis_server = live
    ready_url = f"{server.base}/api/health/ready"
    ready = requests.get(ready_url, timeout=5).json()
    assert ready["status"] == "ok"
    assert ready["checks"]["redis"] == "healthy" and ready["checks"]["cache"] == "healthy"

    redis_server.kill()
    response = requests.get(ready_url, timeout=5)
    assert response.status_code == 200  # Redis is optional: degraded, not down
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["redis"] == "unhealthy"
    assert body["checks"]["database"] == "healthy"
    assert requests.get(f"{server.base}/api/v1/rooms", timeout=5).status_code == 200
    cli = server.cli("health", "check", "--json", check=False)
    assert cli.returncode == 1 and '"status": "degraded"' in cli.stdout

    redis_server.start()
    assert wait_until(lambda: requests.get(ready_url, timeout=5).json()["status"] == "ok", 10, 0.3)
    assert server.cli("health", "check", check=False).returncode == 0
