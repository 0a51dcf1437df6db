"""A local stand-in for the few Stripe API endpoints innkeeper uses, on loopback.

The real `stripe` library talks to it over real HTTP (STRIPE_API_BASE). Like Stripe, it
replays the first response for a repeated Idempotency-Key. It counts what it received.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest

from innkeeper.testing.ports import closed_port_url
from innkeeper.testing.stripe_checkout import CheckoutSessions
from innkeeper.testing.stripe_events import WEBHOOK_SECRET, signed_event

__all__ = ["WEBHOOK_SECRET", "StripeStandIn", "closed_port_url", "signed_event", "stripe_standin"]


class StripeStandIn(CheckoutSessions):
    def __init__(self) -> None:
        self._init_checkout()
        self.intents: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.by_key: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p in self.requests if m == method and p == path)

    def set_intent_status(self, intent_id: str, status: str) -> dict[str, Any]:
        """What Stripe.js confirming the payment in the guest's browser would do."""
        with self.lock:
            self.intents[intent_id]["status"] = status
            return dict(self.intents[intent_id])

    def _create_intent(self, form: dict[str, str]) -> dict[str, Any]:
        intent_id = f"pi_{secrets.token_hex(8)}"
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": int(form["amount"]),
            "currency": form["currency"],
            "status": "requires_payment_method",
            "client_secret": f"{intent_id}_secret_{secrets.token_hex(6)}",
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
        }
        self.intents[intent_id] = intent
        return intent

    def _create_refund(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        intent = self.intents.get(form.get("payment_intent", ""))
        if intent is None or intent["status"] != "succeeded":
            error = {"type": "invalid_request_error", "message": "No such charge"}
            return 400, {"error": error}
        refund = {
            "id": f"re_{secrets.token_hex(8)}",
            "object": "refund",
            "amount": int(form["amount"]),
            "payment_intent": intent["id"],
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = refund
        return 200, refund

    def handle(self, method: str, path: str, form: dict[str, str], key: str) -> tuple[int, Any]:
        with self.lock:
            self.requests.append((method, path))
            if method == "POST" and key and key in self.by_key:
                return 200, self.by_key[key]
            status, body = self._route(method, path, form)
            if method == "POST" and key and status == 200:
                self.by_key[key] = body
            return status, body

    def _route(self, method: str, path: str, form: dict[str, str]) -> tuple[int, Any]:
        checkout = self._route_checkout(method, path, form)
        if checkout is not None:
            return checkout
        if method == "POST" and path == "/v1/payment_intents":
            return 200, self._create_intent(form)
        if method == "POST" and path == "/v1/refunds":
            return self._create_refund(form)
        if method == "GET" and path.startswith("/v1/payment_intents/"):
            found = self.intents.get(path.rsplit("/", 1)[1])
        elif method == "GET" and path.startswith("/v1/refunds/"):
            found = self.refunds.get(path.rsplit("/", 1)[1])
        else:
            found = None
        if found is None:
            return 404, {"error": {"type": "invalid_request_error", "message": "No such object"}}
        return 200, found

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(parse_qsl(self.rfile.read(length).decode()))
                if self.path.startswith("/pay/"):
                    self._hosted()
                    return
                if not self.headers.get("Authorization", "").startswith("Bearer sk_test_"):
                    status, body = 401, {"error": {"type": "invalid_request_error"}}
                else:
                    status, body = standin.handle(
                        self.command,
                        self.path.split("?")[0],
                        form,
                        self.headers.get("Idempotency-Key", ""),
                    )
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _hosted(self) -> None:
                """The hosted payment page: no API key, a browser's GET and form POSTs."""
                path = self.path.split("?")[0]
                location = ""
                if self.command == "POST":
                    status, location, page = standin.hosted_post(path)
                else:
                    status, page = standin.hosted_page(path.split("/")[2])
                data = page.encode()
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _serve
            do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def stripe_standin(settings: Any) -> Iterator[StripeStandIn]:
    """The stand-in on a free port, with this process's Stripe settings pointing at it."""
    server = StripeStandIn()
    settings.STRIPE_SECRET_KEY = "sk_test_standin"  # noqa: S105 - the stand-in's test key
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = server.url
    # As settings.py does for STRIPE_API_BASE: the browser may follow the form to its page.
    csp = {**settings.SECURE_CSP}
    csp["form-action"] = [*csp["form-action"], server.url]
    settings.SECURE_CSP = csp
    yield server
    server.close()
