"""Booking creation over HTTP (wrk POSTs) vs the same statements in pgbench.

Random rooms: any room, any stay in the next ~23 months (the generated 70% occupancy makes
many of them conflicts). Hot rooms: four rooms, stays in the next 30 days (a festival
weekend rush: almost everything conflicts and clients queue on the room lock).
"""

from __future__ import annotations

from django.db import connection

from bench.context import Context, Result
from bench.loadgen import LoadResult, pgbench, wrk
from bench.stats import ratio

CLIENTS = (8, 32)
HOT_WINDOW_DAYS = 30


def _raw_bookings_made() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bookings_booking WHERE reference LIKE %s", ["PB-%"])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _rooms(ctx: Context, mix: str) -> tuple[int, int, int]:
    ids = ctx.data.hot_room_ids if mix == "hot_rooms" else ctx.data.room_ids
    return min(ids), max(ids), HOT_WINDOW_DAYS if mix == "hot_rooms" else 690


def http_attempts(
    ctx: Context, base_url: str, mix: str, clients: int, seconds: int | None = None
) -> LoadResult:
    lo, hi, window = _rooms(ctx, mix)
    args = [ctx.today_epoch, ctx.data.staff_token, f"{lo}-{hi}", str(window)]
    seconds = seconds or ctx.sizes.seconds
    return wrk(base_url, "booking.lua", connections=clients, seconds=seconds, args=args)


def sql_attempts(ctx: Context, mix: str, clients: int) -> LoadResult:
    lo, hi, window = _rooms(ctx, mix)
    return pgbench(
        ctx.db_name,
        "booking.sql",
        clients=clients,
        seconds=ctx.sizes.seconds,
        variables={"lo": lo, "hi": hi, "window": window},
    )


def _case(ctx: Context, mix: str, clients: int) -> Result:
    http = http_attempts(ctx, ctx.base_url, mix, clients)
    http_ok = ctx.verify_no_double_bookings()
    before = _raw_bookings_made()
    sql = sql_attempts(ctx, mix, clients)
    made = _raw_bookings_made() - before
    sql_ok = ctx.verify_no_double_bookings()
    created = http.statuses.get("201", 0)
    return {
        "scenario": f"booking_{mix}_c{clients}",
        "clients": clients,
        "http": {
            **http.as_dict(),
            "bookings_per_second": round(created / http.seconds, 1),
            "created": created,
            "conflicts": http.statuses.get("409", 0),
        },
        "raw_sql": {
            **sql.as_dict(),
            "bookings_per_second": round(made / sql.seconds, 1),
            "created": made,
            "conflicts": sql.requests - made,
        },
        "double_bookings_zero": http_ok and sql_ok,
        "ratios": {
            "http_attempts_share_of_sql": ratio(http.per_second, sql.per_second),
            "http_p50_vs_sql_p50": ratio(http.p50_ms, sql.p50_ms),
            "http_p99_vs_sql_p99": ratio(http.p99_ms, sql.p99_ms),
        },
    }


def run(ctx: Context) -> list[Result]:
    return [_case(ctx, mix, n) for mix in ("random_rooms", "hot_rooms") for n in CLIENTS]
