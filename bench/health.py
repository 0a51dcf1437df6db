"""Liveness: `GET /api/health/live` requests/s vs the bare server with the same workers and
threads: granian through innkeeper's bridge serving a bare WSGI app (`bench/hello.py`, the same
JSON body; what `innkeeper serve` runs) and, as before, gunicorn gthread serving it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.config import PROJECT_DIR, VENV_BIN
from bench.context import Context, Result
from bench.cpu import tree_cpu_seconds, us_per_request
from bench.loadgen import LoadResult, wrk
from bench.server import PIDS, free_port, status_of, wait_http
from bench.stats import ratio

LIVE = "/api/health/live"
CLIENTS = 16


@contextmanager
def _bare(ctx: Context, log: Path, server: str) -> Iterator[tuple[str, int]]:
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
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its workers too
            proc.wait()
        with contextlib.suppress(ProcessLookupError):  # whatever of its group outlived it
            os.killpg(proc.pid, signal.SIGKILL)


def live(ctx: Context, base_url: str, seconds: int | None = None) -> LoadResult:
    status = status_of(base_url + LIVE)
    if status != 200:
        raise RuntimeError(f"GET {LIVE} answered {status}, not 200: is the server healthy?")
    seconds = seconds or ctx.sizes.seconds
    return wrk(base_url + LIVE, "get.lua", connections=CLIENTS, seconds=seconds, args=[])


def bare(ctx: Context, log: Path, server: str = "granian") -> tuple[LoadResult, float | None]:
    """The bare app's load and its server's CPU microseconds per request."""
    with _bare(ctx, log, server) as (url, pid):
        before = tree_cpu_seconds(pid)
        load = wrk(url, "get.lua", connections=CLIENTS, seconds=ctx.sizes.seconds, args=[])
        return load, us_per_request(tree_cpu_seconds(pid) - before, load.requests)


def measured(base_url: str, run: Callable[[], LoadResult]) -> tuple[LoadResult, float | None]:
    """`run` against the server `serving` started at `base_url`, and its CPU us per request."""
    pid = PIDS[base_url]
    before = tree_cpu_seconds(pid)
    load = run()
    return load, us_per_request(tree_cpu_seconds(pid) - before, load.requests)


def run(ctx: Context, log: Path) -> list[Result]:
    ours, cpu = measured(ctx.base_url, lambda: live(ctx, ctx.base_url))
    granian_load, granian_cpu = bare(ctx, log, "granian")
    granian = granian_load.per_second
    gunicorn = bare(ctx, log, "gunicorn")[0].per_second
    return [
        {
            "scenario": "health_live",
            "path": LIVE,
            "note": "",
            "clients": CLIENTS,
            "http": ours.as_dict(),
            "bare_granian_rps": granian,
            "bare_gunicorn_rps": gunicorn,
            "cpu_us_per_request": {"innkeeper": cpu, "bare_granian": granian_cpu},
            "ratios": {
                "cpu_bare_granian_vs_innkeeper": ratio(granian_cpu or 0, cpu or 0),
                "rps_share_of_bare_granian": ratio(ours.per_second, granian),
                "rps_share_of_bare_gunicorn": ratio(ours.per_second, gunicorn),
            },
        }
    ]
