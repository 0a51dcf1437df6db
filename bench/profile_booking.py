"""In-process profile of `POST /api/v1/bookings` on PostgreSQL (Django test client, no HTTP).

.venv/bin/python -m bench.profile_booking [--requests 300] [--db innkeeper_profile] [--keep-db]

Creates its own database (dropped at the end), one 100-room property with a year of past
stays, a staff token; then POSTs random one-to-four-night stays in a 90-day window (mostly
201s, some 409s) and reports per request: wall time, CPU time, SQL statements; the statements
of one successful booking; then two more passes under cProfile (wall clock, then CPU clock),
summed by area.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bench import dbsetup
from bench.config import Sizes

WINDOW_START, WINDOW_DAYS = 30, 90
HISTORY = Sizes(100, 100, 100, 100, 730, 0.7, 0, 0, 0)

# (file suffix, function): inclusive cost of one step of the request. They nest, so shares
# do not add up to 100%.
AREAS = {
    "whole request (test client -> response)": ("django/test/client.py", "request"),
    "middleware chain + view (handler)": ("django/core/handlers/base.py", "_get_response"),
    "ninja: parse body, validate input": ("ninja/operation.py", "_get_values"),
    "auth: token lookup (+ last_used touch)": ("innkeeper/core/auth.py", "authenticate"),
    "booking_create (transaction, all below)": ("innkeeper/bookings/services.py", "create"),
    "  lock room (SELECT ... FOR UPDATE)": ("innkeeper/bookings/services.py", "_lock_room"),
    "  overlap re-check (.exists())": ("django/db/models/query.py", "exists"),
    "  pricing: policy lookup + quote": ("innkeeper/rooms/pricing.py", "stay_quote"),
    "  Model.save (booking, charges, event INSERTs)": ("django/db/models/base.py", "save"),
    "  charges INSERT": ("innkeeper/bookings/charges.py", "charges_record"),
    "  event INSERT": ("innkeeper/bookings/services.py", "_record"),
    "  job enqueue (django-tasks-db)": ("innkeeper/jobs/enqueue.py", "enqueue_with_transaction"),
    "commit": ("django/db/backends/base/base.py", "commit"),
    "response: BookingOut serialization": ("innkeeper/bookings/api.py", "_booking_json"),
    "response: JsonResponse": ("django/http/response.py", "__init__"),
    "x ORM: SQL compilation (all queries)": ("django/db/models/sql/compiler.py", "as_sql"),
    "x DB: psycopg execute (round trips)": ("psycopg/cursor.py", "execute"),
    "x DB: health-check SELECT 1 (hidden)": ("django/db/backends/postgresql/base.py", "is_usable"),
    "x new_reference()": ("innkeeper/core/ids.py", "new_reference"),
}


@dataclass
class Target:
    token: str
    room_ids: list[int]
    today: date


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--db", default="innkeeper_profile")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--top", type=int, default=0, help="also print N top cumulative rows")
    parser.add_argument("--no-profile", action="store_true", help="the measured pass only")
    parser.add_argument("--save", default="", help="write the profiles to SAVE-wall/-cpu.prof")
    return parser.parse_args()


def _setup(db_name: str) -> None:
    dbsetup.create_database(db_name)
    dbsetup.migrate(db_name)
    os.environ.update(dbsetup.bench_env(db_name))
    os.environ["DJANGO_SETTINGS_MODULE"] = "innkeeper.settings"
    import django

    django.setup()


def _data() -> Target:
    """One 100-room property, its past stays (70% occupancy) and a staff token."""
    from django.utils import timezone

    from bench.generate import _booking_rows, _create_property, _insert_bookings, _staff_token

    today = timezone.now().date()
    rooms = _create_property(0, 100)
    rows = _booking_rows(rooms, HISTORY, today, random.Random(7))
    _insert_bookings(row for row in rows if row[8] <= today)  # type: ignore[operator]
    return Target(token=_staff_token(), room_ids=[room.pk for room in rooms], today=today)


def _payloads(target: Target, count: int, seed: int) -> list[str]:
    import json

    rng = random.Random(seed)
    out = []
    for n in range(count):
        start = target.today + timedelta(days=WINDOW_START + rng.randrange(WINDOW_DAYS))
        body = {
            "room_id": rng.choice(target.room_ids),
            "check_in": start.isoformat(),
            "check_out": (start + timedelta(days=rng.randint(1, 4))).isoformat(),
            "guests": 1,
            "guest_name": f"Profile Guest {n}",
            "guest_email": f"profile{n}@example.com",
        }
        out.append(json.dumps(body))
    return out


def _measure(target: Target, payloads: list[str]) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {target.token}")
    rows: list[tuple[int, float, float, int]] = []
    example: list[str] = []
    for body in payloads:
        connection.queries_log.clear()  # the log keeps 9,000: a full one would count 0
        with CaptureQueriesContext(connection) as captured:
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.post("/api/v1/bookings", body, content_type="application/json")
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        rows.append((response.status_code, wall * 1000, cpu * 1000, len(captured)))
        if response.status_code == 201 and not example and len(rows) > 5:
            example = [query["sql"] for query in captured.captured_queries]
    return {"rows": rows, "example": example}


def _summary(rows: list[tuple[int, float, float, int]]) -> None:
    statuses: dict[int, int] = {}
    for status, *_ in rows:
        statuses[status] = statuses.get(status, 0) + 1
    print(f"requests {len(rows)}, statuses {dict(sorted(statuses.items()))}")
    groups = {"all": rows, **{str(s): [r for r in rows if r[0] == s] for s in statuses}}
    for name, group in groups.items():
        walls, cpus, queries = ([r[i] for r in group] for i in (1, 2, 3))
        print(
            f"  {name:>4}: wall mean {statistics.fmean(walls):.2f} ms "
            f"(p50 {statistics.median(walls):.2f}), CPU mean {statistics.fmean(cpus):.2f} ms "
            f"(p50 {statistics.median(cpus):.2f}), statements {statistics.fmean(queries):.2f}"
        )


def _areas(profile: cProfile.Profile, requests: int, top: int, clock: str) -> None:
    stats = pstats.Stats(profile)
    table: dict[tuple[str, int, str], Any] = stats.stats  # type: ignore[attr-defined]
    found: dict[str, tuple[float, int]] = {}
    for (filename, _line, func), (_cc, calls, _tt, cumulative, _callers) in table.items():
        for label, (suffix, name) in AREAS.items():
            if func == name and filename.endswith(suffix):
                seconds, count = found.get(label, (0.0, 0))
                found[label] = (seconds + cumulative, count + calls)
    whole = found.get("whole request (test client -> response)", (1.0, 1))[0]
    print(f"cProfile by area, {clock} clock (the profiler inflates absolute times):")
    for label in AREAS:
        seconds, calls = found.get(label, (0.0, 0))
        print(
            f"  {label:<42} {seconds / requests * 1000:6.2f} ms/req {seconds / whole:6.1%}"
            f"  ({calls / requests:.1f} calls/req)"
        )
    if top:
        stats.sort_stats("cumulative").print_stats(top)


CLOCKS = (("wall", time.perf_counter), ("CPU", time.process_time))


def _profiled(target: Target, payloads: list[str], args: argparse.Namespace) -> None:
    """Two more passes of new stays: one under a wall-clock profiler, one under a CPU one."""
    for index, (clock, timer) in enumerate(CLOCKS, 1):
        chunk = payloads[args.requests * index :][: args.requests]
        profile = cProfile.Profile(timer)
        profile.enable()
        profiled = _measure(target, chunk)
        profile.disable()
        print(f"\nprofiled pass ({clock} clock):")
        _summary(profiled["rows"])
        _areas(profile, args.requests, args.top, clock)
        if args.save:
            profile.dump_stats(f"{args.save}-{clock.lower()}.prof")


def main() -> None:
    args = _arguments()
    _setup(args.db)
    try:
        target = _data()
        payloads = _payloads(target, args.requests * 3, args.seed)
        measured = _measure(target, payloads[: args.requests])
        _summary(measured["rows"])
        print("\nstatements of one successful booking:")
        for number, sql in enumerate(measured["example"], 1):
            print(f"  {number:2}. {sql[:300]}")
        if not args.no_profile:
            _profiled(target, payloads, args)
    finally:
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            dbsetup.drop_database(args.db)


if __name__ == "__main__":
    main()
