"""Availability search: selector in-process and HTTP, against the GiST anti-join in pgbench."""

from __future__ import annotations

import random
import time
from datetime import timedelta

from bench.context import Context, Result
from bench.loadgen import pgbench, wrk
from bench.stats import latency_summary, ratio
from innkeeper.bookings.selectors import availability_search

GUESTS = 2


def _selector_latencies(ctx: Context, property_id: int | None) -> dict[str, float]:
    rng = random.Random(11)
    samples: list[float] = []
    for _ in range(ctx.sizes.samples):
        check_in = ctx.data.today + timedelta(days=rng.randint(1, 690))
        check_out = check_in + timedelta(days=rng.randint(1, 7))
        started = time.perf_counter()
        availability_search(
            check_in=check_in, check_out=check_out, guests=GUESTS, property_id=property_id
        )
        samples.append((time.perf_counter() - started) * 1000)
    return latency_summary(samples)


def _case(ctx: Context, name: str, property_id: int | None, rooms: int) -> Result:
    selector = _selector_latencies(ctx, property_id)
    lua_args = [ctx.today_epoch, str(GUESTS)] + ([str(property_id)] if property_id else [])
    seconds = ctx.sizes.seconds
    http_1 = wrk(ctx.base_url, "availability.lua", connections=1, seconds=seconds, args=lua_args)
    http_8 = wrk(ctx.base_url, "availability.lua", connections=8, seconds=seconds, args=lua_args)
    script = "availability_property.sql" if property_id else "availability_all.sql"
    variables: dict[str, object] = {"guests": GUESTS}
    if property_id:
        variables["property"] = property_id
    sql_1 = pgbench(ctx.db_name, script, clients=1, seconds=seconds, variables=variables)
    sql_8 = pgbench(ctx.db_name, script, clients=8, seconds=seconds, variables=variables)
    return {
        "scenario": f"availability_{name}",
        "rooms": rooms,
        "selector": selector,
        "http_c1": http_1.as_dict(),
        "http_c8": http_8.as_dict(),
        "raw_sql_c1": sql_1.as_dict(),
        "raw_sql_c8": sql_8.as_dict(),
        "ratios": {
            "selector_p50_vs_sql_p50": ratio(selector["p50_ms"], sql_1.p50_ms),
            "http_p50_vs_sql_p50": ratio(http_1.p50_ms, sql_1.p50_ms),
            "http_p99_vs_sql_p99": ratio(http_1.p99_ms, sql_1.p99_ms),
            "http_rps_share_of_sql_tps_c8": ratio(http_8.per_second, sql_8.per_second),
        },
    }


def run(ctx: Context) -> list[Result]:
    focus = ctx.data.focus_property_id
    return [
        _case(ctx, "one_property", focus, ctx.data.property_rooms[focus]),
        _case(ctx, "all_properties", None, len(ctx.data.room_ids)),
    ]
