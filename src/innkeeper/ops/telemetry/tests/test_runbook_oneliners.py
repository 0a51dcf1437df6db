"""The JSON-log one-liners of RUNBOOK's "High Error Rate" and "Slow Response Times", run as
written against the log of a real `innkeeper serve` with LOG_FORMAT=json."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import requests

from innkeeper.testing.processes import innkeeper_server, require_binary

ROOT = Path(__file__).resolve().parents[5]
JOURNAL = re.compile(r"journalctl -u innkeeper --since -\S+ -o cat")


def oneliners() -> list[str]:
    lines = [line.strip() for line in (ROOT / "RUNBOOK.md").read_text().splitlines()]
    return [line for line in lines if JOURNAL.match(line) and "jq" in line]


def run(oneliner: str, log: Path, **env: str) -> str:
    command = JOURNAL.sub(f"cat '{log}'", oneliner)
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", **env},
    )
    assert result.returncode == 0, f"{command}\n{result.stderr}"
    return result.stdout


def test_the_runbook_log_oneliners_answer_from_a_real_json_log(tmp_path: Path):
    require_binary("jq", "the runbook's log one-liners use jq")
    errors, follow, slow = oneliners()
    args = ("--no-worker", "--no-scheduler")
    with innkeeper_server(tmp_path, serve_args=args, LOG_FORMAT="json", SLOW_REQUEST_MS="0") as s:
        for _ in range(3):
            assert requests.get(f"{s.base}/api/v1/rooms", timeout=10).status_code == 200
        s.cli("maintenance", "down")
        refused = [
            requests.post(f"{s.base}/api/v1/bookings", json={}, timeout=10) for _ in range(2)
        ]
        s.cli("maintenance", "up")
        # No PROMETHEUS_MULTIPROC_DIR given: `innkeeper serve` made one, and it counts.
        scrape = requests.get(f"{s.base}/metrics", timeout=10).text
    assert [r.status_code for r in refused] == [503, 503]
    assert 'route="/api/v1/rooms",status="2xx"} 3.0' in scrape
    log = s.log

    counts = run(errors, log).split("\n")
    assert counts[0].split() == ["2", "maintenance", "POST", "/api/v1/bookings"]

    request_id = refused[0].headers["X-Request-ID"]
    assert refused[0].json()["request_id"] == request_id
    followed = run(follow, log, REQUEST_ID=request_id).splitlines()
    assert all(request_id in line for line in followed)
    # Our summary line and Django's own "Service Unavailable" line of the same request.
    assert {json.loads(line)["logger"] for line in followed} == {
        "innkeeper.requests",
        "django.request",
    }

    by_route = run(slow, log)
    rooms = [line.split() for line in by_route.splitlines() if line.endswith(" /api/v1/rooms")]
    assert rooms and rooms[0][0] == "3" and rooms[0][2] == "ms"
