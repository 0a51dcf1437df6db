"""The metrics processes record as things happen (counters and histograms), in core so every
layer may count. Figures read from the database are computed at scrape time (ops.telemetry)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

# Around the runbook's thresholds: p95 warning at 0.5 s, slow request at 1 s, critical at 2 s.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "innkeeper_http_requests",
    "HTTP requests answered, by method, route template and status class.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "innkeeper_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
HTTP_PROBLEMS = Counter(
    "innkeeper_http_problems",
    "problem+json answers by their stable code (room_unavailable, rate_limited, ...).",
    ["code", "status"],
)
JOBS = Counter(
    "innkeeper_jobs",
    "Background job attempts by queue, task and outcome (succeeded, retried, failed).",
    ["queue", "task", "outcome"],
)
JOB_DURATION = Histogram(
    "innkeeper_job_duration_seconds",
    "Time a job attempt ran, by queue and task.",
    ["queue", "task"],
    buckets=(0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0),
)
SCHEDULER_ENQUEUED = Counter(
    "innkeeper_scheduler_enqueued",
    "Periodic jobs the scheduler enqueued, by job.",
    ["job"],
)
LOGINS = Counter(
    "innkeeper_logins",
    "Login attempts by door (api, admin, desk, web), outcome and failure reason.",
    ["source", "outcome", "reason"],
)
RATE_LIMIT_REJECTIONS = Counter(
    "innkeeper_rate_limit_rejections",
    "Requests refused by a rate limit, by scope (login, api, booking_create, ...).",
    ["scope"],
)
REDIS_FAILURES = Counter(
    "innkeeper_redis_failures",
    "Redis calls that failed and fell back (cache, rate limiter), by component logger.",
    ["component"],
)
