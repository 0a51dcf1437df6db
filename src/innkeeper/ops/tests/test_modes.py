"""Maintenance, read-only and blocklist through the real middleware stack (Django's client)."""

from __future__ import annotations

import pydantic
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django.test import Client

from innkeeper.core.errors import Conflict, InvalidInput, NotFound
from innkeeper.core.models import AuditEvent
from innkeeper.ops.blocklist import ip_block, ip_unblock
from innkeeper.ops.clientip import client_ip
from innkeeper.ops.maintenance import (
    maintenance_disable,
    maintenance_enable,
    read_only_set,
    wait_until_writable,
    writes_frozen,
)
from innkeeper.ops.outage import is_database_outage

pytestmark = pytest.mark.django_db
ROOMS = "/api/v1/rooms"


def test_maintenance_answers_api_and_pages_and_honours_the_bypass(client: Client):
    maintenance_enable(actor="ops@test", secret="bypass-1234", message="Back at 4", refresh=10)
    api = client.get(ROOMS)
    assert api.status_code == 503 and api["Retry-After"] == "60"
    assert api.json()["code"] == "maintenance" and api.json()["detail"] == "Back at 4"
    page = client.get("/admin/", headers={"Accept": "text/html"})  # a browser
    assert page.status_code == 503 and "Back at 4" in page.content.decode()
    assert page["Refresh"] == "10"
    script = client.get("/admin/")  # curl or a monitor gets the machine-readable problem
    assert script.status_code == 503 and script.json()["code"] == "maintenance"
    assert client.get("/api/health/live").status_code == 200
    assert client.get("/bypass-0000").status_code == 503

    assert client.get("/bypass-1234").status_code == 302
    assert client.get(ROOMS).status_code == 200
    # A new secret voids cookies handed out for the old one.
    maintenance_enable(actor="ops@test", secret="another-5678")
    assert client.get(ROOMS).status_code == 503

    maintenance_disable(actor="ops@test")
    assert Client().get(ROOMS).status_code == 200
    assert list(AuditEvent.objects.values_list("action", "actor_label"))[:3] == [
        ("maintenance.disabled", "ops@test"),
        ("maintenance.enabled", "ops@test"),
        ("maintenance.enabled", "ops@test"),
    ]


def test_maintenance_rejects_weak_secret_and_bad_numbers():
    with pytest.raises(InvalidInput):
        maintenance_enable(actor="ops", secret="short")
    with pytest.raises(CommandError, match="at least 8"):
        call_command("maintenance", "down", "--secret", "a/b")
    with pytest.raises(CommandError, match="positive"):
        call_command("maintenance", "down", "--retry", "0")
    assert not writes_frozen()


def test_read_only_refuses_writes_keeps_reads_and_sign_in(client: Client, guest):
    read_only_set(enabled=True, actor="ops@test")
    refused = client.post(
        "/api/v1/auth/register", {"email": "x@example.com"}, content_type="application/json"
    )
    assert refused.status_code == 503 and refused.json()["code"] == "read_only"
    assert client.get(ROOMS).status_code == 200
    login = client.post(
        "/api/v1/auth/login",
        {"email": guest.email, "password": "a-long-test-password-42"},
        content_type="application/json",
    )
    assert login.status_code == 200
    page = client.post("/admin/rooms/room/add/", {"number": "9"})
    assert page.status_code == 503 and b"read-only mode" in page.content
    assert writes_frozen() and not wait_until_writable(timeout=0.05, poll=0.01)

    read_only_set(enabled=False, actor="ops@test")
    assert not writes_frozen() and wait_until_writable(timeout=0.05)


def test_maintenance_freezes_jobs_too():
    maintenance_enable(actor="ops")
    assert writes_frozen()


def test_blocklist_by_address_and_range(client: Client):
    ip_block(network="10.1.0.0/16", reason="spray", actor="ops@test")
    ip_block(network="2001:db8::/32", actor="ops@test")
    blocked = client.get(ROOMS, REMOTE_ADDR="10.1.200.3")
    assert blocked.status_code == 403 and blocked.json()["code"] == "ip_blocked"
    assert client.get(ROOMS, REMOTE_ADDR="2001:db8::7").status_code == 403
    assert client.get(ROOMS, REMOTE_ADDR="10.2.0.1").status_code == 200
    assert client.get("/api/health/live", REMOTE_ADDR="10.1.200.3").status_code == 200

    with pytest.raises(Conflict):
        ip_block(network="10.1.0.0/16", actor="ops@test")
    with pytest.raises(InvalidInput):
        ip_block(network="10.1.0.0/99", actor="ops@test")
    ip_unblock(network="10.1.0.0/16", actor="ops@test")
    with pytest.raises(NotFound):
        ip_unblock(network="10.1.0.0/16", actor="ops@test")
    assert client.get(ROOMS, REMOTE_ADDR="10.1.200.3").status_code == 200
    assert AuditEvent.objects.filter(action="security.ip_blocked").count() == 2


def test_client_ip_trusts_only_the_configured_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5")
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request) == "10.0.0.1"  # the peer is not a trusted proxy (loopback only)
    settings.TRUSTED_PROXY_IPS = ["10.0.0.0/8"]
    assert client_ip(request) == "203.0.113.5"  # the spoofable left part is ignored
    settings.TRUSTED_PROXIES = 3
    assert client_ip(request) == "203.0.113.5"  # walking stops at the first untrusted hop


def test_database_outage_recognised_when_wrapped():
    class Row(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(from_attributes=True)
        name: str

    class LazyRow:
        @property
        def name(self) -> str:
            raise OperationalError("connection refused")

    with pytest.raises(pydantic.ValidationError) as wrapped:
        Row.model_validate(LazyRow())
    assert is_database_outage(wrapped.value)
    try:
        try:
            raise OperationalError("gone")
        except OperationalError as error:
            raise RuntimeError("while rendering") from error
    except RuntimeError as chained:
        assert is_database_outage(chained)
    assert not is_database_outage(ValueError("bad input"))


class SessionStoreDown:
    """Stands in for a session/auth middleware whose database query fails: Django turns such
    an exception into a 500 on the spot, before any process_exception hook can see it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("could not connect to server")


def test_database_error_inside_middleware_becomes_503(client: Client, settings):
    settings.MIDDLEWARE = [
        "innkeeper.ops.middleware.DatabaseOutageMiddleware",
        "innkeeper.ops.tests.test_modes.SessionStoreDown",
    ]
    client.raise_request_exception = False
    for path in (ROOMS, "/admin/"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert response["Retry-After"] == "5"
        assert b"could not connect" not in response.content
