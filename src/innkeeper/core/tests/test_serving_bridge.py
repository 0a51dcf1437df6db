"""The ASGI->WSGI bridge of `innkeeper serve`, driven directly with ASGI messages."""

from __future__ import annotations

import asyncio
from typing import Any

from innkeeper.core.serving.bridge import BridgeConfig, WsgiBridge


def _echo_environ(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    seen = {k: v for k, v in environ.items() if k.startswith(("HTTP_", "SCRIPT", "PATH"))}
    body = environ["wsgi.input"].read()
    return [repr(sorted(seen.items())).encode(), b"|", body]


def _streaming(environ: dict[str, Any], start_response: Any) -> Any:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return iter([b"one,", b"", b"two,", b"three"])


def _call(app: Any, chunks: list[bytes], headers: list[tuple[bytes, bytes]] | None = None):
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/rooms",
        "query_string": b"",
        "headers": headers or [],
        "client": ("192.0.2.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    incoming = [
        {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
        for n, chunk in enumerate(chunks)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def test_headers_with_underscores_and_script_name_never_reach_the_app():
    app = WsgiBridge(_echo_environ, BridgeConfig(threads=2))
    headers = [(b"script_name", b"/up"), (b"x_forwarded_for", b"6.6.6.6"), (b"x-real", b"1")]
    sent = _call(app, [b"ab", b"cd"], headers)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert b"('SCRIPT_NAME', '')" in body and b"('PATH_INFO', '/api/v1/rooms')" in body
    assert b"6.6.6.6" not in body and b"HTTP_SCRIPT_NAME" not in body
    assert b"('HTTP_X_REAL', '1')" in body
    assert body.endswith(b"|abcd")  # the body arrived in two messages, read whole


def test_a_body_over_the_cap_is_413_without_calling_the_app():
    app = WsgiBridge(_echo_environ, BridgeConfig(threads=1, max_body_bytes=10))
    sent = _call(app, [b"x" * 6, b"x" * 6])
    assert sent[0]["status"] == 413
    assert b'"code": "request_too_large"' in sent[1]["body"]


def test_streamed_responses_arrive_in_order_and_end_once():
    app = WsgiBridge(_streaming, BridgeConfig(threads=1))
    sent = _call(app, [b""])
    bodies = [m for m in sent if m["type"] == "http.response.body"]
    assert b"".join(m["body"] for m in bodies) == b"one,two,three"
    assert [m["more_body"] for m in bodies] == [True, True, False]
