"""A bare WSGI app: the HTTP limit of the server itself (granian through innkeeper's bridge, as
`innkeeper serve` runs it, and gunicorn gthread) with the same workers and threads."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

BODY = b'{"status":"ok"}'


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]
    )
    return [BODY]


def build() -> Any:
    """The same app behind innkeeper's granian bridge (`innkeeper serve`'s server without
    Django): the bare limit of the server innkeeper actually runs."""
    import os

    from innkeeper.core.serving.app import THREADS_ENV
    from innkeeper.core.serving.bridge import BridgeConfig, WsgiBridge

    config = BridgeConfig(
        threads=int(os.environ.get(THREADS_ENV, "8")),
        body_timeout=30.0,
        max_body_bytes=1024 * 1024,
        max_requests=0,
    )
    return WsgiBridge(app, config)


def main() -> None:
    """`python -m bench.hello PORT WORKERS THREADS`: granian as `innkeeper serve` runs it."""
    import os
    import sys

    from granian.constants import HTTPModes, Interfaces
    from granian.server import Server

    from innkeeper.core.serving.app import THREADS_ENV

    port, workers, threads = (int(value) for value in sys.argv[1:4])
    os.environ[THREADS_ENV] = str(threads)
    Server(
        "bench.hello:build",
        factory=True,
        interface=Interfaces.ASGINL,
        address="127.0.0.1",
        port=port,
        workers=workers,
        http=HTTPModes.http1,
        log_access=False,
        workers_kill_timeout=5,
    ).serve()


if __name__ == "__main__":
    main()
