"""Liveness: `GET /api/health/live` requests/s vs the bare server with the same workers and
threads: granian through innkeeper's bridge serving a bare WSGI app (`bench/hello.py`, the same
JSON body; what `innkeeper serve` runs) and, as before, gunicorn gthread serving it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.config import PROJECT_DIR, VENV_BIN
from bench.context import Context, Result
from bench.loadgen import LoadResult, wrk
from bench.server import free_port, status_of, wait_http
from bench.stats import ratio

LIVE = "/api/health/live"
CLIENTS = 16


@contextmanager
def _bare(ctx: Context, log: Path, server: str) -> Iterator[str]:
    port = free_port()
    if server == "granian":
        command = [sys.executable, "-m", "bench.hello", str(port), str(ctx.workers)]
        command.append(str(ctx.threads))
    else:
        command = [str(VENV_BIN / "gunicorn"), "bench.hello:app", "-k", "gthread"]
        command += ["-w", str(ctx.workers), "--threads", str(ctx.threads)]
        command += ["-b", f"127.0.0.1:{port}"]
    with log.open("ab") as out:
        proc = subprocess.Popen(  # noqa: S603
            command, cwd=PROJECT_DIR, stdout=out, stderr=out, start_new_session=True
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_http(url)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its workers too
            proc.wait()


def live(ctx: Context, base_url: str, seconds: int | None = None) -> LoadResult:
    status = status_of(base_url + LIVE)
    if status != 200:
        raise RuntimeError(f"GET {LIVE} answered {status}, not 200: is the server healthy?")
    seconds = seconds or ctx.sizes.seconds
    return wrk(base_url + LIVE, "get.lua", connections=CLIENTS, seconds=seconds, args=[])


def bare_rps(ctx: Context, log: Path, server: str = "granian") -> float:
    with _bare(ctx, log, server) as url:
        return wrk(
            url, "get.lua", connections=CLIENTS, seconds=ctx.sizes.seconds, args=[]
        ).per_second


def run(ctx: Context, log: Path) -> list[Result]:
    ours = live(ctx, ctx.base_url)
    granian = bare_rps(ctx, log, "granian")
    gunicorn = bare_rps(ctx, log, "gunicorn")
    return [
        {
            "scenario": "health_live",
            "path": LIVE,
            "note": "",
            "clients": CLIENTS,
            "http": ours.as_dict(),
            "bare_granian_rps": granian,
            "bare_gunicorn_rps": gunicorn,
            "ratios": {
                "rps_share_of_bare_granian": ratio(ours.per_second, granian),
                "rps_share_of_bare_gunicorn": ratio(ours.per_second, gunicorn),
            },
        }
    ]
