"""The DR measurement's summary (bench/dr.py): one table row per recovery path, against the
seeds' targets (RTO 15 min, RPO 5 min)."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

RTO_TARGET_SECONDS = 15 * 60
RPO_TARGET_SECONDS = 5 * 60


def _row(path: str, data: dict[str, Any], run: dict[str, Any], backup: str) -> str:
    rto = run["rto_seconds"]
    window = run.get("loss_window_seconds")
    verdict = "met" if rto <= RTO_TARGET_SECONDS else "MISSED"
    return (
        f"| {path} | {data['bookings']:,} bookings, {data['rooms']:,} rooms | {backup} | "
        f"{run['restore_seconds']} s | **{rto} s** ({verdict}) | "
        f"{run['bookings_lost']} of {run['bookings_made_during_drill']} lost, oldest "
        f"{run['oldest_lost_seconds']} s old; window {window} s | {run['rpo_bound']} |"
    )


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"# DR measurement {results['started']} ({results['size']} size, {results['seconds']} s)",
        "",
        f"Machine: {json.dumps(results.get('machine', {}))}",
        "",
        "| recovery path | data | backup taken in | restore | time to ready (RTO, target 15 min)"
        " | bookings lost (RPO, target 5 min) | RPO bound |",
        "|---|---|---|---|---|---|---|",
    ]
    for engine in results["engines"]:
        data = engine["data"]
        if engine["engine"].startswith("sqlite"):
            backup = f"{engine['backup_seconds']} s ({engine['backup_bytes']:,} B)"
            lines.append(_row("SQLite, encrypted copy from off-site", data, engine, backup))
            continue
        pitr, dump = engine["pitr"], engine["pg_dump"]
        full = f"full {engine['pitr_setup_seconds']} s ({engine['pgbackrest_repo_bytes']:,} B)"
        lines.append(_row("PostgreSQL PITR (pgBackRest) from off-site", data, pitr, full))
        backup = f"{engine['pg_dump_seconds']} s ({engine['pg_dump_bytes']:,} B)"
        lines.append(_row("PostgreSQL pg_dump from off-site, empty database", data, dump, backup))
        lines += [
            "",
            f"PITR at the loss: WAL archive lag {pitr['wal_archive_lag_at_loss_seconds']} s, "
            f"last repository sync {pitr['last_sync_age_at_loss_seconds']} s before "
            f"({pitr['syncs']} syncs).",
        ]
    return "\n".join(lines) + "\n"


def machine() -> dict[str, Any]:
    """bench.report's machine() needs Django; this process has none."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }


def write(results: dict[str, Any], out: Path) -> str:
    results["machine"] = machine()
    out.mkdir(parents=True, exist_ok=True)
    text = markdown(results)
    (out / f"dr-{results['started']}.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / f"dr-{results['started']}.md").write_text(text)
    return text
