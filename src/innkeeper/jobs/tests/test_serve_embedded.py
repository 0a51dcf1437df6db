"""`innkeeper serve` (embedded default) sends guest emails with no other process running."""

from __future__ import annotations

import signal

import pytest
import requests

from innkeeper.jobs.models import ScheduleEntry, WorkerHeartbeat
from innkeeper.testing.jobs import child_env, start, stop, wait_for
from innkeeper.testing.ports import free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _up(url: str) -> bool:
    try:
        return requests.get(url, timeout=3).status_code < 500
    except requests.RequestException:  # not listening yet, or still starting up
        return False


def test_serve_runs_a_worker_and_the_scheduler_beside_the_web_server(smtp_server, make_booking):
    port = free_port()
    server = start("serve", "--port", str(port), "--threads", "2", env=child_env(smtp_server))
    try:
        wait_for(
            lambda: _up(f"http://127.0.0.1:{port}/api/v1/openapi.json"), what="HTTP", timeout=40
        )
        wait_for(lambda: WorkerHeartbeat.objects.exists(), what="embedded worker")
        booking = make_booking()
        wait_for(lambda: smtp_server.messages, what="confirmation email")
        wait_for(lambda: ScheduleEntry.objects.count() >= 4, what="scheduler tick")
    finally:
        output = stop(server, signal.SIGTERM)
    assert booking.reference in smtp_server.messages[0]["Subject"]
    assert "Background: worker (pid" in output
    # Stopping the server stopped its worker (which removes its heartbeat on the way out).
    wait_for(lambda: not WorkerHeartbeat.objects.exists(), timeout=10, what="worker exit")


def test_serve_without_background_processes_for_production(smtp_server):
    port = free_port()
    server = start(
        "serve", "--port", str(port), "--no-worker", "--no-scheduler", env=child_env(smtp_server)
    )
    try:
        wait_for(
            lambda: _up(f"http://127.0.0.1:{port}/api/v1/openapi.json"), what="HTTP", timeout=40
        )
    finally:
        output = stop(server)
    assert "Background:" not in output
    assert not WorkerHeartbeat.objects.exists()
    assert not ScheduleEntry.objects.exists()
