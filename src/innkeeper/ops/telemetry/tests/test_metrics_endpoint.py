"""/metrics in one process: who may read it, RED by route template, problem codes, request ids,
and the gauges read from the database at scrape time."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from innkeeper.notifications.tasks import send_due_reminders
from innkeeper.ops.maintenance import maintenance_disable, maintenance_enable

pytestmark = pytest.mark.django_db

LOOPBACK: dict[str, Any] = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.fixture(autouse=True)
def fresh_gauges(settings):
    settings.METRICS_CACHE_SECONDS = 0


def scrape(client: Client, **extra: str) -> str:
    environ: dict[str, Any] = {**LOOPBACK, **extra}
    response = client.get("/metrics", **environ)
    assert response.status_code == 200, response.content
    return response.content.decode()


def value(text: str, sample: str, **labels: str) -> float:
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items())
    )


# --- access ---------------------------------------------------------------------------


def test_loopback_only_when_nothing_is_configured(client: Client):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    refused = client.get("/metrics", REMOTE_ADDR="10.0.0.5")
    assert refused.status_code == 403
    assert refused.json()["code"] == "metrics_forbidden"


def test_a_public_client_behind_a_local_proxy_is_not_loopback(client: Client, settings):
    settings.TRUSTED_PROXIES = 1
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 403


def test_bearer_token_opens_it_from_anywhere(client: Client, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    missing = client.get("/metrics", REMOTE_ADDR="10.0.0.5")
    assert missing.status_code == 401
    assert missing["WWW-Authenticate"].startswith("Bearer")
    assert missing.json()["code"] == "metrics_unauthorized"
    wrong = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 401
    right = client.get("/metrics", REMOTE_ADDR="10.0.0.5", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert right.status_code == 200


def test_allowed_cidrs_and_token_must_both_match(client: Client, settings):
    settings.METRICS_ALLOWED_CIDRS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.1").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 401
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": "Bearer s3cret-token"}
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3", **auth).status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.1", **auth).status_code == 403


def test_metrics_disabled_means_no_endpoint(settings):
    settings.METRICS_ENABLED = False
    assert Client().get("/metrics", **LOOPBACK).status_code == 404


# --- RED, problem codes, request ids ----------------------------------------------------


def test_requests_are_counted_by_route_template_not_raw_path(client: Client):
    route = "/api/v1/bookings/<reference>"
    before = scrape(client)
    for reference in ("AAAA1111", "BBBB2222", "CCCC3333"):
        assert client.get(f"/api/v1/bookings/{reference}").status_code == 401
    client.get("/api/v1/no/such/thing")
    after = scrape(client)
    counted = value(after, "innkeeper_http_requests_total", route=route, status="4xx")
    # Other tests on this worker may have hit the route with other statuses: compare 4xx only.
    assert counted - value(before, "innkeeper_http_requests_total", route=route, status="4xx") == 3
    assert "AAAA1111" not in after
    assert value(after, "innkeeper_http_request_duration_seconds_count", route=route) >= 3
    unmatched = value(after, "innkeeper_http_requests_total", route="<unmatched>")
    assert unmatched - value(before, "innkeeper_http_requests_total", route="<unmatched>") == 1


def test_problem_answers_are_counted_by_code(client: Client):
    before = value(scrape(client), "innkeeper_http_problems_total", code="not_found")
    client.get("/api/v1/no/such/thing")
    after = value(scrape(client), "innkeeper_http_problems_total", code="not_found", status="404")
    assert after - before == 1


def test_each_response_carries_a_request_id_also_in_its_problem_body(client: Client):
    response = client.get("/api/v1/no/such/thing")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    assert response.json()["request_id"] == request_id
    assert client.get("/api/health/live")["X-Request-ID"] != request_id


def test_a_request_id_is_taken_only_from_a_trusted_proxy(client: Client, settings):
    given: dict[str, Any] = {"HTTP_X_REQUEST_ID": "lb-1234-abcd"}
    assert client.get("/api/health/live", **given)["X-Request-ID"] != "lb-1234-abcd"
    settings.TRUSTED_PROXIES = 1
    assert client.get("/api/health/live", **given)["X-Request-ID"] == "lb-1234-abcd"
    # A client that connects directly (not from TRUSTED_PROXY_IPS) cannot set it.
    spoofer = client.get("/api/health/live", REMOTE_ADDR="203.0.113.9", **given)
    assert spoofer["X-Request-ID"] != "lb-1234-abcd"
    forged = client.get("/api/health/live", HTTP_X_REQUEST_ID="x\nlevel=error fake line")
    assert "\n" not in forged["X-Request-ID"]
    assert len(forged["X-Request-ID"]) == 32


# --- gauges read at scrape time --------------------------------------------------------


def test_queue_and_mode_gauges_follow_the_database(client: Client):
    text = scrape(client)
    assert value(text, "innkeeper_database_up") == 1
    assert value(text, "innkeeper_maintenance_mode") == 0
    waiting = value(text, "innkeeper_queue_waiting", queue="notifications")
    send_due_reminders.enqueue()
    maintenance_enable(actor="ops@test", secret="", message="", refresh=None)
    try:
        text = scrape(client)
    finally:
        maintenance_disable(actor="ops@test")
    assert value(text, "innkeeper_queue_waiting", queue="notifications") == waiting + 1
    assert value(text, "innkeeper_maintenance_mode") == 1
    oldest = value(text, "innkeeper_queue_oldest_waiting_seconds", queue="notifications")
    job = DBTaskResult.objects.get()
    assert 0 <= oldest <= (timezone.now() - job.enqueued_at).total_seconds() + 1


def test_backup_and_disk_gauges_are_present(client: Client):
    text = scrape(client)
    assert value(text, "innkeeper_disk_free_bytes") > 0
    assert value(text, "innkeeper_redis_configured") in (0, 1)
    assert "innkeeper_bookings" in text


def test_payments_are_counted_in_every_state_final_ones_too(client: Client, make_booking):
    """Not only the open states: failed cards and refunds due at the desk are what an
    on-call engineer looks for, and a state with no payment reads 0, not absent."""
    from innkeeper.payments.models import Payment, PaymentStatus

    booking = make_booking()
    made = [PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.FAILED]
    made += [PaymentStatus.DUE_AT_DESK, PaymentStatus.PROCESSING]
    for status in made:
        Payment.objects.create(
            booking=booking,
            provider="stripe",
            purpose="refund" if status == PaymentStatus.DUE_AT_DESK else "deposit",
            amount="10.00",
            currency="EUR",
            status=status,
        )
    text = scrape(client)
    labels = {
        s.labels["status"]
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "innkeeper_payments"
    }
    assert labels == {status.value for status in PaymentStatus}
    for status in PaymentStatus:
        assert value(text, "innkeeper_payments", status=status) == made.count(status), status


def test_rate_limit_refusals_are_counted_by_scope(client: Client, rate_limits, hotel):
    rate_limits.RATE_LIMITS = {**rate_limits.RATE_LIMITS, "api": "2/minute"}
    before = value(scrape(client), "innkeeper_rate_limit_rejections_total", scope="api")
    caller = Client(REMOTE_ADDR="203.0.113.10")
    statuses = [caller.get("/api/v1/rooms").status_code for _ in range(4)]
    assert statuses == [200, 200, 429, 429]
    text = scrape(client)
    assert value(text, "innkeeper_rate_limit_rejections_total", scope="api") - before == 2
    assert value(text, "innkeeper_http_problems_total", code="rate_limited") >= 2


def test_logins_are_counted_by_door_and_outcome(client: Client, guest):
    from innkeeper.conftest import PASSWORD

    def logins(text: str, **labels: str) -> float:
        return value(text, "innkeeper_logins_total", source="api", **labels)

    before = scrape(client)
    api = Client()
    good = {"email": guest.email, "password": PASSWORD}
    bad = {"email": guest.email, "password": "wrong-password-123"}
    assert api.post("/api/v1/auth/login", good, content_type="application/json").status_code == 200
    for _ in range(2):
        response = api.post("/api/v1/auth/login", bad, content_type="application/json")
        assert response.status_code == 401
    after = scrape(client)
    assert logins(after, outcome="succeeded") - logins(before, outcome="succeeded") == 1
    failed = logins(after, outcome="failed", reason="bad_credentials")
    assert failed - logins(before, outcome="failed", reason="bad_credentials") == 2
