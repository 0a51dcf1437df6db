"""Liveness: `GET /api/health/live` requests/s vs gunicorn serving a bare WSGI app
(`bench/hello.py`, the same JSON body) with the same workers and threads."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bench.config import PROJECT_DIR, VENV_BIN
from bench.context import Context, Result
from bench.loadgen import wrk
from bench.server import free_port, status_of, wait_http
from bench.stats import ratio

LIVE = "/api/health/live"
CLIENTS = 16


def _bare_gunicorn(ctx: Context, log: Path) -> float:
    port = free_port()
    command = [str(VENV_BIN / "gunicorn"), "bench.hello:app", "-k", "gthread"]
    command += ["-w", str(ctx.workers), "--threads", str(ctx.threads), "-b", f"127.0.0.1:{port}"]
    command += ["--access-logfile", "-"]  # innkeeper serve logs every request too
    with log.open("ab") as out:
        proc = subprocess.Popen(command, cwd=PROJECT_DIR, stdout=out, stderr=out)  # noqa: S603
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_http(url)
        return wrk(
            url, "get.lua", connections=CLIENTS, seconds=ctx.sizes.seconds, args=[]
        ).per_second
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def run(ctx: Context, log: Path) -> list[Result]:
    status = status_of(ctx.base_url + LIVE)
    if status != 200:
        raise RuntimeError(f"GET {LIVE} answered {status}, not 200: is the server healthy?")
    ours = wrk(
        ctx.base_url + LIVE, "get.lua", connections=CLIENTS, seconds=ctx.sizes.seconds, args=[]
    )
    limit = _bare_gunicorn(ctx, log)
    return [
        {
            "scenario": "health_live",
            "path": LIVE,
            "note": "",
            "clients": CLIENTS,
            "http": ours.as_dict(),
            "bare_gunicorn_rps": limit,
            "ratios": {"rps_share_of_bare_gunicorn": ratio(ours.per_second, limit)},
        }
    ]
