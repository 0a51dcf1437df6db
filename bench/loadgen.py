"""Drivers that are not Python-bound: wrk for HTTP, pgbench for the raw-SQL limit."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.config import LUA_DIR, SQL_DIR, database_url
from bench.stats import latency_summary


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0

    @property
    def per_second(self) -> float:
        return round(self.requests / self.seconds, 1) if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        data = dict(self.__dict__)
        data["per_second"] = self.per_second
        return data


def wrk(url: str, script: str, *, connections: int, seconds: int, args: list[str]) -> LoadResult:
    """Run wrk with one of bench/lua/*.lua; connections = concurrent clients."""
    threads = min(2, connections)
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    command += ["--timeout", "10s", "-s", str(LUA_DIR / script), url, "--", *args]
    env = {**os.environ, "BENCH_LUA_DIR": str(LUA_DIR)}
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"^WRK_JSON (.*)$", out, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    data = json.loads(match.group(1))
    statuses = {str(k): int(v) for k, v in data["statuses"].items()}
    return LoadResult(
        requests=int(data["requests"]),
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        statuses=statuses,
        errors=int(data["socket_errors"]) + sum(v for k, v in statuses.items() if int(k) >= 500),
    )


def pgbench(
    db_name: str, script: str, *, clients: int, seconds: int, variables: dict[str, object]
) -> LoadResult:
    """Run bench/sql/<script> with pgbench (prepared statements); latencies from its log."""
    with tempfile.TemporaryDirectory(prefix="pgbench-") as tmp:
        command = ["pgbench", "-n", "-M", "prepared", "-c", str(clients)]
        command += ["-j", str(min(2, clients)), "-T", str(seconds), "-l"]
        command += ["--log-prefix", f"{tmp}/log", "-f", str(SQL_DIR / script)]
        for name, value in variables.items():
            command += ["-D", f"{name}={value}"]
        command.append(database_url(db_name))
        out = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if out.returncode not in (0, 2):  # 2: some clients aborted (reported as errors)
            raise RuntimeError(f"pgbench failed: {out.stderr}\n{out.stdout}")
        latencies: list[float] = []
        for log in Path(tmp).glob("log*"):
            for line in log.read_text().splitlines():
                parts = line.split()
                latencies.append(int(parts[2]) / 1000)
    failed = re.search(r"number of failed transactions: (\d+)", out.stdout)
    summary = latency_summary(latencies)
    return LoadResult(
        requests=len(latencies),
        seconds=float(seconds),
        p50_ms=summary["p50_ms"],
        p95_ms=summary["p95_ms"],
        p99_ms=summary["p99_ms"],
        errors=int(failed.group(1)) if failed else 0,
    )


def require_tools() -> None:
    missing = [tool for tool in ("wrk", "pgbench", "psql") if shutil.which(tool) is None]
    if missing:
        raise SystemExit(f"missing tools: {', '.join(missing)} (make bench installs wrk)")
