"""A real local HTTP server (thread) standing in for a booking channel's calendar export:
tests change what each path serves between polls, and read what was asked for.

Each route answers with its body and a strong ETag, 304 to a matching If-None-Match; a
route may instead be a status (503: the channel is down), a redirect, or a slow drip."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    location: str = ""
    content_type: str = "text/calendar; charset=utf-8"
    drip_seconds: float = 0.0  # pause between 1 KB chunks


@dataclass
class CalendarServer:
    host: str
    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def serve(self, path: str, body: bytes | str, **options: object) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **options)  # type: ignore[arg-type]
        return self.url(path)


def _handler(server: CalendarServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            server.requests.append((self.path, dict(self.headers.items())))
            route = server.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            if route.location:
                self.send_response(route.status or 302)
                self.send_header("Location", route.location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if route.status != 200:
                self.send_error(route.status)
                return
            etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", route.content_type)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self._write(route)

        def _write(self, route: Route) -> None:
            if not route.drip_seconds:
                self.wfile.write(route.body)
                return
            for offset in range(0, len(route.body), 1024):
                self.wfile.write(route.body[offset : offset + 1024])
                self.wfile.flush()
                time.sleep(route.drip_seconds)

    return Handler


@contextmanager
def calendar_server() -> Iterator[CalendarServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = CalendarServer("127.0.0.1", int(httpd.server_address[1]))
    httpd.RequestHandlerClass = _handler(state)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
