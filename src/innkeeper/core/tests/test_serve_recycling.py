"""`innkeeper serve --max-requests N` recycles web workers (the memory-leak relief of the
runbook) without failing a request."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from innkeeper.testing.processes import innkeeper_server

pytestmark = pytest.mark.slow


def test_workers_are_recycled_without_dropping_requests(tmp_path: Path):
    args = ("--max-requests", "5", "--no-worker", "--no-scheduler")
    with innkeeper_server(tmp_path, serve_args=args) as server:
        statuses = [
            requests.get(f"{server.base}/api/health/live", timeout=10).status_code
            for _ in range(30)
        ]
    assert statuses == [200] * 30
    log = server.log.read_text()
    assert "Recycling web workers after" in log
