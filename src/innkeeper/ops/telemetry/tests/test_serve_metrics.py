"""The headline: Prometheus scraping a real `innkeeper serve` with 2 web workers (plus the job
worker and scheduler beside it) sees one consistent set of counters."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

from innkeeper.testing.processes import (
    InnkeeperServer,
    innkeeper_server,
    require_binary,
    wait_until,
)

LIVE_ROUTE = "/api/health/live"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InnkeeperServer]:
    tmp = tmp_path_factory.mktemp("serve-metrics")
    metrics_dir = tmp / "metrics"
    with innkeeper_server(
        tmp,
        serve_args=("--workers", "2"),
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        BACKUP_SCHEDULE="false",
        SCHEDULER_TICK_SECONDS="1",
        JOBS_WORKER_POLL_SECONDS="0.2",
        METRICS_CACHE_SECONDS="1",
    ) as running:
        yield running


def scrape(server: InnkeeperServer) -> str:
    response = requests.get(f"{server.base}/metrics", timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "# TYPE innkeeper_http_requests_total counter" in response.text
    return response.text


def sample_sum(text: str, sample: str, **labels: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items()):
                total += s.value
    return total


def requests_by_pid(directory: Path) -> dict[str, float]:
    """What each process's own counter file says about LIVE_ROUTE (the scrape adds them up)."""
    counts: dict[str, float] = {}
    for path in directory.glob("counter_*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        for key, value, *_ in MmapedDict.read_all_values_from_file(str(path)):
            if "innkeeper_http_requests" in key and LIVE_ROUTE in key:
                counts[pid] = counts.get(pid, 0.0) + value
    return counts


def test_one_scrape_counts_the_requests_of_every_web_worker(server: InnkeeperServer):
    before = sample_sum(scrape(server), "innkeeper_http_requests_total", route=LIVE_ROUTE)
    n = 120

    def hit(_: int) -> int:
        # A new connection each time, from 8 threads at once: both workers accept some.
        with requests.Session() as session:
            return session.get(f"{server.base}{LIVE_ROUTE}", timeout=10).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(hit, range(n)))
    assert statuses == [200] * n

    text = scrape(server)
    after = sample_sum(text, "innkeeper_http_requests_total", route=LIVE_ROUTE, status="2xx")
    assert after - before == n
    latency_count = sample_sum(
        text, "innkeeper_http_request_duration_seconds_count", route=LIVE_ROUTE
    )
    assert latency_count == after
    # The requests really were spread: both web workers counted some in their own files.
    by_pid = requests_by_pid(Path(server.env["PROMETHEUS_MULTIPROC_DIR"]))
    assert len(by_pid) == 2, by_pid
    assert sum(by_pid.values()) == after
    memory_pids = {
        s.labels["pid"]
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "process_resident_memory_bytes"
    }
    assert set(by_pid) <= memory_pids  # CPU/memory of each live process, by pid


def test_the_job_worker_and_scheduler_count_into_the_same_scrape(server: InnkeeperServer):
    def jobs_seen() -> bool:
        text = scrape(server)
        return (
            sample_sum(text, "innkeeper_scheduler_enqueued_total") > 0
            and sample_sum(text, "innkeeper_jobs_total", outcome="succeeded") > 0
            # Read from the database at scrape time (cached METRICS_CACHE_SECONDS).
            and sample_sum(text, "innkeeper_database_up") == 1
            and sample_sum(text, "innkeeper_workers_live") >= 1
            and sample_sum(text, "innkeeper_scheduler_last_run_timestamp_seconds") > 0
        )

    assert wait_until(jobs_seen, 60, 0.5), scrape(server)


def test_promtool_accepts_a_real_scrape(server: InnkeeperServer):
    promtool = require_binary("promtool", "`make system-tools` installs Debian's prometheus")
    requests.get(f"{server.base}/api/v1/no-such-endpoint", timeout=10)
    result = subprocess.run(
        [promtool, "check", "metrics"],
        input=scrape(server),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Payments by state cover every state (final ones too), each a sample even when zero.
    families = text_string_to_metric_families(scrape(server))
    states = {
        s.labels["status"] for f in families for s in f.samples if s.name == "innkeeper_payments"
    }
    assert {"created", "processing", "succeeded", "failed", "due_at_desk"} <= states
