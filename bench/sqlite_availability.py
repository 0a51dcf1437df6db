"""Availability on SQLite (the embedded default): selector vs the same search in raw SQL.

Run as its own process (`python -m bench.sqlite_availability --size default`), because Django
is configured once per process; it prints one JSON line. The raw limit is the stdlib sqlite3
module running the equivalent query on the same file (anti-join on the room/date index).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.config import SIZES, VENV_BIN, Sizes
from bench.stats import latency_summary, ratio

RAW = """
SELECT r.id, r.number, r.property_id, r.room_type_id, t.name, t.capacity, t.nightly_rate,
       p.currency
FROM rooms_room r
JOIN rooms_roomtype t ON t.id = r.room_type_id
JOIN rooms_property p ON p.id = r.property_id
WHERE r.property_id = ? AND r.is_active AND t.capacity >= ?
  AND NOT EXISTS (
    SELECT 1 FROM bookings_booking b
    WHERE b.room_id = r.id AND b.status IN ('pending', 'confirmed', 'checked_in')
      AND b.check_in < ? AND b.check_out > ?)
ORDER BY r.property_id, t.nightly_rate, r.number
"""
GUESTS = 2


def _stays(today: date, count: int) -> list[tuple[date, date]]:
    rng = random.Random(11)
    stays = []
    for _ in range(count):
        check_in = today + timedelta(days=rng.randint(1, 690))
        stays.append((check_in, check_in + timedelta(days=rng.randint(1, 7))))
    return stays


def _measure(path: Path, sizes: Sizes) -> dict[str, Any]:
    import django

    django.setup()
    from bench.generate import generate
    from innkeeper.bookings.selectors import availability_search

    data = generate(sizes)
    stays = _stays(data.today, sizes.samples)
    prop = data.focus_property_id
    ours: list[float] = []
    for check_in, check_out in stays:
        began = time.perf_counter()
        availability_search(check_in=check_in, check_out=check_out, guests=GUESTS, property_id=prop)
        ours.append((time.perf_counter() - began) * 1000)
    raw: list[float] = []
    with sqlite3.connect(path) as conn:
        for check_in, check_out in stays:
            began = time.perf_counter()
            params = (prop, GUESTS, check_out.isoformat(), check_in.isoformat())
            conn.execute(RAW, params).fetchall()
            raw.append((time.perf_counter() - began) * 1000)
    selector, limit = latency_summary(ours), latency_summary(raw)
    return {
        "scenario": "availability_one_property_sqlite",
        "rooms": data.property_rooms[prop],
        "bookings": data.bookings,
        "selector": selector,
        "raw_sql": limit,
        "ratios": {"selector_p50_vs_sql_p50": ratio(selector["p50_ms"], limit["p50_ms"])},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=sorted(SIZES), default="default")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-sqlite-") as tmp:
        path = Path(tmp) / "bench.sqlite3"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "LOG_LEVEL": "WARNING"}
        migrate = [str(VENV_BIN / "innkeeper"), "migrate", "--no-input", "-v", "0"]
        subprocess.run(migrate, env=env, check=True)  # noqa: S603
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "innkeeper.settings"
        print("SQLITE_JSON " + json.dumps(_measure(path, SIZES[args.size])), flush=True)


if __name__ == "__main__":
    main()
