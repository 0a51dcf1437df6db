"""Health checks: a registry of named checks, each timed, rolled up into one report.

Other apps add their own with `register_check("backup", my_check, full_only=True)`; a check
returns a CheckResult and may raise (it is then reported unhealthy with the exception's class
name only: raw exception text never reaches a response).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

HEALTHY = "healthy"
DEGRADED = "degraded"
UNHEALTHY = "unhealthy"
NOT_CONFIGURED = "not_configured"
SKIPPED = "skipped"


@dataclass(frozen=True)
class CheckResult:
    status: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HealthCheck:
    name: str
    run: Callable[[], CheckResult]
    critical: bool = False  # unhealthy -> the whole service is unhealthy (503)
    full_only: bool = False  # only in /api/health/full and `health check --detailed`
    needs_database: bool = False  # skipped when the database check already failed


_registry: dict[str, HealthCheck] = {}


def register_check(
    name: str,
    run: Callable[[], CheckResult],
    *,
    critical: bool = False,
    full_only: bool = False,
    needs_database: bool = False,
) -> None:
    """Add (or replace) a named check. Order of registration is the order of the report."""
    _registry[name] = HealthCheck(name, run, critical, full_only, needs_database)


def unregister_check(name: str) -> None:
    _registry.pop(name, None)


def registered_checks() -> list[HealthCheck]:
    return list(_registry.values())


def _timed(check: HealthCheck) -> tuple[CheckResult, float]:
    started = time.perf_counter()
    try:
        result = check.run()
    except Exception as error:
        logger.warning("health check %s failed: %s", check.name, error)
        result = CheckResult(UNHEALTHY, {"error": type(error).__name__})
    return result, round((time.perf_counter() - started) * 1000, 1)


def _overall(results: dict[str, CheckResult], checks: list[HealthCheck]) -> str:
    critical = {check.name for check in checks if check.critical}
    statuses = {name: result.status for name, result in results.items()}
    if any(statuses[name] == UNHEALTHY for name in critical):
        return UNHEALTHY
    if any(status in (UNHEALTHY, DEGRADED) for status in statuses.values()):
        return DEGRADED
    return "ok"


def run_checks(*, full: bool) -> dict[str, Any]:
    """The report served by /api/health/ready (full=False) and /api/health/full (full=True)."""
    from innkeeper.ops.state import StateUnavailable, current_state

    checks = [check for check in _registry.values() if full or not check.full_only]
    results: dict[str, CheckResult] = {}
    details: dict[str, Any] = {}
    database_down = False
    for check in checks:
        if check.needs_database and database_down:
            result, duration = CheckResult(SKIPPED, {"reason": "database unavailable"}), 0.0
        else:
            result, duration = _timed(check)
        database_down = database_down or (check.critical and result.status == UNHEALTHY)
        results[check.name] = result
        details[check.name] = {**result.details, "duration_ms": duration}
    try:
        mode = "unknown" if database_down else current_state().mode
    except StateUnavailable:
        mode = "unknown"
    return {
        "status": _overall(results, checks),
        "mode": mode,
        "checks": {name: result.status for name, result in results.items()},
        "details": details,
    }


EXIT_CODES = {"ok": 0, DEGRADED: 1, UNHEALTHY: 2}
