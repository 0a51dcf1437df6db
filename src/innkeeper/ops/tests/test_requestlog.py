"""Slow and failed requests leave one greppable line in the web log."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from innkeeper.ops.maintenance import maintenance_disable, maintenance_enable

pytestmark = pytest.mark.django_db


def request_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "innkeeper.requests"]


def test_slow_requests_are_logged_with_method_path_status_and_time(
    client: Client, settings, caplog
):
    settings.SLOW_REQUEST_MS = 0
    with caplog.at_level(logging.WARNING, logger="innkeeper.requests"):
        assert client.get("/api/v1/rooms").status_code == 200
    (line,) = request_lines(caplog)
    assert line.startswith("Slow request GET /api/v1/rooms 200 ")
    assert line.endswith(" ms")


def test_fast_requests_leave_no_line(client: Client, caplog):
    with caplog.at_level(logging.WARNING, logger="innkeeper.requests"):
        assert client.get("/api/health/live").status_code == 200
    assert request_lines(caplog) == []


def test_server_errors_are_logged_with_their_problem_code(client: Client, caplog):
    maintenance_enable(actor="ops@test", secret="", message="Upgrading", refresh=None)
    try:
        with caplog.at_level(logging.WARNING, logger="innkeeper.requests"):
            response = client.get("/api/v1/rooms")
    finally:
        maintenance_disable(actor="ops@test")
    assert response.status_code == 503
    (line,) = request_lines(caplog)
    assert line.startswith("Server error GET /api/v1/rooms 503 maintenance ")
