"""Percentiles and ratios, the same arithmetic for every source of samples."""

from __future__ import annotations

import math


def percentile(samples_ms: list[float], pct: float) -> float:
    """Nearest-rank percentile; 0.0 for no samples."""
    if not samples_ms:
        return 0.0
    ordered = sorted(samples_ms)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return round(ordered[rank - 1], 3)


def latency_summary(samples_ms: list[float]) -> dict[str, float]:
    return {f"p{p}_ms": percentile(samples_ms, p) for p in (50, 95, 99)}


def ratio(ours: float, limit: float) -> float | None:
    """How many times slower (latency) or the share reached (throughput) — caller says which."""
    if not limit:
        return None
    return round(ours / limit, 2)
