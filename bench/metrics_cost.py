"""What the Prometheus metrics cost (issue 15: "the ratio to the bare limit must not drop by
more than 5 %"): liveness and random-room booking at 8 clients against the run's server
(metrics on, the default) and a second server with `METRICS_ENABLED=false`, alternating on and
off `ROUNDS` times so that both see the same machine load (medians compared; each server
warmed up first), each against the raw limit of the
same run (bare granian for liveness, pgbench for booking)."""

from __future__ import annotations

from pathlib import Path
from statistics import median

from bench import booking, health
from bench.context import Context, Result
from bench.server import serving
from bench.stats import ratio

ROUNDS = 3
WARM_UP_SECONDS = 1
BOOKING_CLIENTS = 8


def _share(on: list[float], off: list[float], limit: float) -> dict[str, float | None]:
    # Both shares are of the same limit, so the drop of the ratio is the drop of the rate.
    drop = round(100 * (1 - median(on) / median(off)), 1) if median(off) else None
    return {"on": ratio(median(on), limit), "off": ratio(median(off), limit), "drop_percent": drop}


def run(ctx: Context, log: Path) -> list[Result]:
    live: dict[str, list[float]] = {"on": [], "off": []}
    book: dict[str, list[float]] = {"on": [], "off": []}
    off_env = {"METRICS_ENABLED": "false"}
    with serving(
        ctx.db_name, workers=ctx.workers, threads=ctx.threads, log=log, env=off_env
    ) as off_url:
        urls = {"on": ctx.base_url, "off": off_url}
        for url in urls.values():  # first requests open connections, fill caches
            health.live(ctx, url, WARM_UP_SECONDS)
            booking.http_attempts(ctx, url, "random_rooms", BOOKING_CLIENTS, WARM_UP_SECONDS)
        for _ in range(ROUNDS):
            for state, url in urls.items():
                live[state].append(health.live(ctx, url).per_second)
                attempts = booking.http_attempts(ctx, url, "random_rooms", BOOKING_CLIENTS)
                book[state].append(attempts.per_second)
    bare = health.bare_rps(ctx, log, "granian")
    sql = booking.sql_attempts(ctx, "random_rooms", BOOKING_CLIENTS).per_second
    return [
        {
            "scenario": "metrics_cost",
            "rounds": ROUNDS,
            "liveness_rps": live,
            "booking_attempts_per_second": book,
            "bare_granian_rps": bare,
            "booking_sql_attempts_per_second": sql,
            "double_bookings_zero": ctx.verify_no_double_bookings(),
            "ratios": {
                "liveness": _share(live["on"], live["off"], bare),
                "booking": _share(book["on"], book["off"], sql),
            },
        }
    ]
