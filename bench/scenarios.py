"""Run the chosen scenarios against one generated dataset and one server."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

from bench import availability, booking, health, jobs, metrics_cost
from bench.config import PROJECT_DIR, RESULTS_DIR, SIZES
from bench.context import Context
from bench.generate import generate
from bench.report import machine
from bench.server import serving


def run_all(args: argparse.Namespace, only: list[str]) -> dict[str, Any]:
    sizes = SIZES[args.size]
    began = time.monotonic()
    data = generate(sizes)
    generate_seconds = round(time.monotonic() - began, 1)
    print(
        f"bench: generated {data.bookings} bookings for {len(data.room_ids)} rooms in "
        f"{generate_seconds} s",
        flush=True,
    )
    log = RESULTS_DIR / "server.log"
    results: list[dict[str, Any]] = []
    with serving(args.db, workers=args.workers, threads=args.threads, log=log) as url:
        ctx = Context(args.db, sizes, data, url, args.workers, args.threads)
        for name in (n for n in only if n != "sqlite"):
            print(f"bench: scenario {name}", flush=True)
            if name == "availability":
                results += availability.run(ctx)
            elif name == "booking":
                results += booking.run(ctx)
            elif name == "health":
                results += health.run(ctx, log)
            elif name == "metrics":
                results += metrics_cost.run(ctx, log)
            else:
                results += jobs.run(ctx, log)
    if "sqlite" in only:
        print("bench: scenario sqlite (availability on the embedded default)", flush=True)
        results.append(_sqlite(args.size))
    return {
        "machine": machine(),
        "server": {"workers": args.workers, "threads": args.threads},
        "data": {
            "rooms": len(data.room_ids),
            "properties": data.properties,
            "bookings": data.bookings,
            "occupancy": data.occupancy,
            "generate_seconds": generate_seconds,
        },
        "scenarios": results,
    }


def _sqlite(size: str) -> dict[str, Any]:
    """Availability on an SQLite file, in a process of its own (Django is set up per process)."""
    command = [sys.executable, "-m", "bench.sqlite_availability", "--size", size]
    out = subprocess.run(  # noqa: S603
        command, cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout
    line = next(row for row in out.splitlines() if row.startswith("SQLITE_JSON "))
    result: dict[str, Any] = json.loads(line.removeprefix("SQLITE_JSON "))
    return result
