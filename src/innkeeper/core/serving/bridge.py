"""An ASGI app that buffers each request, then runs a WSGI app for it in a thread pool.

Reading the body happens on the event loop with a deadline, so a client that never finishes
its body costs a coroutine, not one of the `--threads` threads, and is cut off after
`body_timeout` seconds (408). Responses stream back chunk by chunk from the thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Bodies up to this size stay in memory; larger ones spill to a temporary file.
SPOOL_BYTES = 1024 * 1024

# One access line per request, written here rather than by granian: after the app ran, so it
# shows the environ as the app left it (secret paths such as manage links are rewritten to
# "[redacted]" by ops.redact's middleware, which granian's own access log could not see).
access_log = logging.getLogger("innkeeper.access")


def log_access(environ: dict[str, Any], status: int, started: float) -> None:
    if not access_log.isEnabledFor(logging.INFO):
        return
    path = environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    access_log.info(
        '%s - "%s %s%s %s" %d %.3f',
        environ.get("REMOTE_ADDR", "-"),
        environ.get("REQUEST_METHOD", "-"),
        path,
        f"?{query}" if query else "",
        environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
        status,
        (time.perf_counter() - started) * 1000,
    )


class BodyTooLarge(Exception):
    pass


class ClientGone(Exception):
    pass


@dataclass(frozen=True)
class BridgeConfig:
    threads: int = 8
    body_timeout: float = 30.0
    max_body_bytes: int = 32 * 1024 * 1024
    # Recycle this worker process after about this many requests (0: never).
    max_requests: int = 0


def _problem(status: int, code: str, title: str, detail: str) -> bytes:
    body = {"type": f"urn:innkeeper:problem:{code}", "title": title, "status": status}
    return json.dumps({**body, "detail": detail, "code": code}).encode()


async def _send_problem(send: Send, status: int, code: str, title: str, detail: str) -> None:
    body = _problem(status, code, title, detail)
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def read_body(receive: Receive, limit: int) -> IO[bytes]:
    """The whole request body, or BodyTooLarge past `limit` bytes, or ClientGone."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            spool.close()
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            spool.close()
            raise BodyTooLarge
        spool.write(chunk)
        if not message.get("more_body", False):
            spool.seek(0)
            return spool


def wsgi_environ(scope: Scope, body: IO[bytes], length: int) -> dict[str, Any]:
    """PEP 3333 environ from an ASGI scope. SCRIPT_NAME is always empty: a client header of
    that name (or any header with an underscore) can never become the script name."""
    server = scope.get("server") or ("127.0.0.1", 80)
    client = scope.get("client") or ("", 0)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": "",
        "PATH_INFO": scope["path"].encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": str(client[0]),
        "REMOTE_PORT": str(client[1]),
        "CONTENT_LENGTH": str(length),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").upper()
        if "_" in name:
            continue  # X_Forwarded_For must not pass for X-Forwarded-For (nor SCRIPT_NAME)
        key = name.replace("-", "_")
        key = key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"
        value = raw_value.decode("latin-1")
        if key == "CONTENT_LENGTH":
            continue  # the length of what was actually read (set above) is the truth
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


async def _forward(send: Send, *messages: Message) -> None:
    # Called on the loop: granian's send() returns a future bound to it, not a coroutine.
    for message in messages:
        await send(message)


class ResponseWriter:
    """start_response + body chunks, forwarded from a pool thread to the event loop."""

    def __init__(self, send: Send, loop: asyncio.AbstractEventLoop) -> None:
        self.send = send
        self.loop = loop
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.started = False

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        if exc_info and self.started:
            raise exc_info[1].with_traceback(exc_info[2])
        self.status = int(status.split(" ", 1)[0])
        self.headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        return self._legacy_write

    def _legacy_write(self, data: bytes) -> None:
        self.write(data, more=True)

    def _call(self, *messages: Message) -> None:
        future = asyncio.run_coroutine_threadsafe(_forward(self.send, *messages), self.loop)
        future.result()

    def write(self, data: bytes, *, more: bool) -> None:
        # One hop to the loop per chunk; the head travels with the first chunk.
        body = {"type": "http.response.body", "body": data, "more_body": more}
        if self.started:
            self._call(body)
            return
        self.started = True
        start = {"type": "http.response.start", "status": self.status, "headers": self.headers}
        self._call(start, body)


class WsgiBridge:
    def __init__(self, app: WsgiApp, config: BridgeConfig) -> None:
        self.app = app
        self.config = config
        self.pool = ThreadPoolExecutor(max_workers=config.threads, thread_name_prefix="web")
        self.served = 0
        self.lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # no websockets; lifespan is not used (granian's "asginl" interface)
        try:
            body = await asyncio.wait_for(
                read_body(receive, self.config.max_body_bytes), self.config.body_timeout
            )
        except ClientGone:
            return
        except TimeoutError:
            detail = f"The request body did not arrive within {self.config.body_timeout:g} s."
            await _send_problem(send, 408, "request_timeout", "Request timeout", detail)
            return
        except BodyTooLarge:
            detail = f"The request body is over {self.config.max_body_bytes} bytes."
            await _send_problem(send, 413, "request_too_large", "Request too large", detail)
            return
        length = body.seek(0, os.SEEK_END)
        body.seek(0)
        environ = wsgi_environ(scope, body, length)
        writer = ResponseWriter(send, asyncio.get_running_loop())
        try:
            await asyncio.get_running_loop().run_in_executor(self.pool, self._run, environ, writer)
        finally:
            body.close()

    def _run(self, environ: dict[str, Any], writer: ResponseWriter) -> None:
        started = time.perf_counter()
        result = self.app(environ, writer.start_response)
        try:
            # Hold one chunk back so the last one is sent as the end of the body: a plain
            # (non-streaming) response costs one hop to the loop.
            held: bytes | None = None
            for chunk in result:
                if not chunk:
                    continue
                if held is not None:
                    writer.write(held, more=True)
                held = chunk
            writer.write(held or b"", more=False)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()  # Django's request_finished (closes this thread's DB connection)
            log_access(environ, writer.status, started)
        self._count()

    def _count(self) -> None:
        if not self.config.max_requests:
            return
        with self.lock:
            self.served += 1
            due = self.served == self.config.max_requests
        if due:
            # granian's main process answers SIGHUP with a rolling restart: a fresh worker
            # starts before the old one is stopped gracefully, so no request is dropped.
            print(f"Recycling web workers after {self.served} requests", file=sys.stderr)
            os.kill(os.getppid(), signal.SIGHUP)
