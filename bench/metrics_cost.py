"""What the Prometheus metrics cost (issue 15: "the ratio to the bare limit must not drop by
more than 5 %"): liveness and random-room booking at 8 clients against the run's server
(metrics on, the default) and a second server with `METRICS_ENABLED=false`, alternating on and
off `ROUNDS` times so that both see the same machine load (medians compared; each server
warmed up first), each against the raw limit of the same run (bare granian for liveness,
pgbench for booking).

On a shared machine requests/s swing by half between two 4-second loads, far more than 5 %,
so the servers' CPU time per request (bench.cpu) is measured too: with the cores saturated the
rate is the inverse of it, and it moves much less with the neighbours' load."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from statistics import median

from bench import booking, health
from bench.context import Context, Result
from bench.loadgen import LoadResult
from bench.server import serving
from bench.stats import ratio

ROUNDS = 3
WARM_UP_SECONDS = 1
BOOKING_CLIENTS = 8

Series = dict[str, list[float]]


def _share(rates: Series, limit: float) -> dict[str, float | None]:
    # Both shares are of the same limit, so the drop of the ratio is the drop of the rate.
    on, off = median(rates["on"]), median(rates["off"])
    drop = round(100 * (1 - on / off), 1) if off else None
    return {"on": ratio(on, limit), "off": ratio(off, limit), "drop_percent": drop}


def _cpu_drop(cpu: Series) -> float | None:
    """The rate's drop if the CPU per request alone set it: 1 - cpu(off) / cpu(on)."""
    on, off = median(cpu["on"]), median(cpu["off"])
    return round(100 * (1 - off / on), 1) if on else None


def _run(url: str, load: Callable[[], LoadResult], rates: Series, cpu: Series, key: str) -> None:
    result, us = health.measured(url, load)
    rates[key].append(result.per_second)
    if us is not None:
        cpu[key].append(us)


def _live(ctx: Context, url: str) -> Callable[[], LoadResult]:
    return lambda: health.live(ctx, url)


def _booking(ctx: Context, url: str) -> Callable[[], LoadResult]:
    return lambda: booking.http_attempts(ctx, url, "random_rooms", BOOKING_CLIENTS)


def run(ctx: Context, log: Path) -> list[Result]:
    live: Series = {"on": [], "off": []}
    book: Series = {"on": [], "off": []}
    live_cpu: Series = {"on": [], "off": []}
    book_cpu: Series = {"on": [], "off": []}
    off_env = {"METRICS_ENABLED": "false"}
    with serving(
        ctx.db_name, workers=ctx.workers, threads=ctx.threads, log=log, env=off_env
    ) as off_url:
        urls = {"on": ctx.base_url, "off": off_url}
        for url in urls.values():  # first requests open connections, fill caches
            health.live(ctx, url, WARM_UP_SECONDS)
            booking.http_attempts(ctx, url, "random_rooms", BOOKING_CLIENTS, WARM_UP_SECONDS)
        for _ in range(ROUNDS):
            for key, url in urls.items():
                _run(url, _live(ctx, url), live, live_cpu, key)
                _run(url, _booking(ctx, url), book, book_cpu, key)
    bare, bare_cpu = health.bare(ctx, log, "granian")
    sql = booking.sql_attempts(ctx, "random_rooms", BOOKING_CLIENTS).per_second
    return [
        {
            "scenario": "metrics_cost",
            "rounds": ROUNDS,
            "liveness_rps": live,
            "booking_attempts_per_second": book,
            "liveness_cpu_us_per_request": live_cpu,
            "booking_cpu_us_per_request": book_cpu,
            "bare_granian_rps": bare.per_second,
            "bare_granian_cpu_us_per_request": bare_cpu,
            "booking_sql_attempts_per_second": sql,
            "double_bookings_zero": ctx.verify_no_double_bookings(),
            "ratios": {
                "liveness": {
                    **_share(live, bare.per_second),
                    "cpu_drop_percent": _cpu_drop(live_cpu),
                },
                "booking": {**_share(book, sql), "cpu_drop_percent": _cpu_drop(book_cpu)},
            },
        }
    ]
