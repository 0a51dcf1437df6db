"""Checkout Sessions for the Stripe stand-in: the API (create, retrieve, expire), the hosted
payment page it serves itself, and the `checkout.session.*` webhooks it sends.

Like Stripe: a session is `open` until it is paid (`complete`/`paid`) or expires; `expires_at`
must be 30 minutes to 24 hours after creation; only an open session can be expired; the hosted
page's "Pay" redirects (303) to `success_url` with `{CHECKOUT_SESSION_ID}` filled in, and
"Cancel" to `cancel_url`, leaving the session open. With `webhook_url` set, each completion or
expiry is delivered there, signed, from a background thread (so it races the guest's return,
as with Stripe); `deliveries` records (event type, HTTP status) of each.
"""

from __future__ import annotations

import html
import secrets
import threading
import time
from typing import Any

import requests

from innkeeper.testing.stripe_events import signed_event

MIN_LIFETIME, MAX_LIFETIME = 30 * 60, 24 * 3600
Answer = tuple[int, Any]


def _error(message: str, status: int = 400) -> Answer:
    return status, {"error": {"type": "invalid_request_error", "message": message}}


def _nested(form: dict[str, str], prefix: str) -> dict[str, str]:
    """`metadata[booking]=X` -> {"booking": "X"} for one bracketed prefix."""
    start = len(prefix) + 1
    return {k[start:-1]: v for k, v in form.items() if k.startswith(prefix + "[")}


def _amount(form: dict[str, str]) -> tuple[int, str]:
    """Total and currency of `line_items[i][price_data][...]` lines."""
    total, currency, index = 0, "", 0
    while f"line_items[{index}][quantity]" in form:
        line = f"line_items[{index}][price_data]"
        total += int(form[f"{line}[unit_amount]"]) * int(form[f"line_items[{index}][quantity]"])
        currency = form[f"{line}[currency]"]
        index += 1
    return total, currency


class CheckoutSessions:
    """Mixed into StripeStandIn (which holds `lock`, `url`, `intents` and `_route`)."""

    lock: threading.Lock
    url: str
    intents: dict[str, dict[str, Any]]

    def _init_checkout(self) -> None:
        self.sessions: dict[str, dict[str, Any]] = {}
        self.webhook_url = ""
        self.deliveries: list[tuple[str, int]] = []
        self._delivery_threads: list[threading.Thread] = []

    # --- the API -----------------------------------------------------------------------------

    def _route_checkout(self, method: str, path: str, form: dict[str, str]) -> Answer | None:
        if method == "POST" and path == "/v1/checkout/sessions":
            return self._create_session(form)
        parts = path.split("/")  # ["", "v1", "checkout", "sessions", id, ("expire")]
        if len(parts) < 5 or parts[1:4] != ["v1", "checkout", "sessions"]:
            return None
        session = self.sessions.get(parts[4])
        if session is None:
            return _error("No such checkout.session", 404)
        if method == "GET" and len(parts) == 5:
            return 200, dict(session)
        if method == "POST" and parts[5:] == ["expire"]:
            if session["status"] != "open":
                return _error(
                    "Only Checkout Sessions with a status in [open] can be expired. "
                    f"This Checkout Session has a status of {session['status']}."
                )
            return 200, self._expire_locked(session)
        return _error("Unrecognized request URL", 404)

    def _create_session(self, form: dict[str, str]) -> Answer:
        now = int(time.time())
        if form.get("mode") != "payment":
            return _error("This stand-in supports mode=payment only.")
        if not form.get("success_url", "").startswith(("http://", "https://")):
            return _error("Missing required param: success_url.")
        expires_at = int(form.get("expires_at") or now + MAX_LIFETIME)
        if not now + MIN_LIFETIME <= expires_at <= now + MAX_LIFETIME:
            return _error(
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                "Checkout Session creation."
            )
        amount, currency = _amount(form)
        session_id = f"cs_test_{secrets.token_hex(12)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "payment",
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": amount,
            "currency": currency,
            "client_reference_id": form.get("client_reference_id"),
            "customer_email": form.get("customer_email"),
            "metadata": _nested(form, "metadata"),
            "payment_intent": None,
            "success_url": form["success_url"],
            "cancel_url": form.get("cancel_url"),
            "expires_at": expires_at,
            "created": now,
            "url": f"{self.url}/pay/{session_id}",
        }
        self.sessions[session_id] = session
        return 200, dict(session)

    def _expire_locked(self, session: dict[str, Any]) -> dict[str, Any]:
        session.update(status="expired", url=None)
        self._deliver("checkout.session.expired", session)
        return dict(session)

    # --- what the guest (or time) does ---------------------------------------------------------

    def pay(self, session_id: str) -> dict[str, Any] | str:
        """The guest pays on the hosted page: the session completes (or why it cannot)."""
        with self.lock:
            session = self.sessions.get(session_id)
            if session is None:
                return "This payment page does not exist."
            if session["status"] == "open" and time.time() >= session["expires_at"]:
                self._expire_locked(session)
            if session["status"] != "open":
                return f"This checkout session is {session['status']}; nothing was charged."
            intent_id = f"pi_{secrets.token_hex(8)}"
            self.intents[intent_id] = {
                "id": intent_id,
                "object": "payment_intent",
                "amount": session["amount_total"],
                "currency": session["currency"],
                "status": "succeeded",
                "client_secret": f"{intent_id}_secret_{secrets.token_hex(6)}",
                "metadata": dict(session["metadata"]),
            }
            session.update(status="complete", payment_status="paid", payment_intent=intent_id)
            self._deliver("checkout.session.completed", session)
            return dict(session)

    def expire_session(self, session_id: str) -> dict[str, Any]:
        """Time runs out at Stripe (its `expires_at` passed): the session expires by itself."""
        with self.lock:
            return self._expire_locked(self.sessions[session_id])

    def wait_for_deliveries(self, timeout: float = 10.0) -> list[tuple[str, int]]:
        for thread in list(self._delivery_threads):
            thread.join(timeout)
        return list(self.deliveries)

    def _deliver(self, event_type: str, session: dict[str, Any]) -> None:
        if not self.webhook_url:
            return
        payload, signature = signed_event(event_type, dict(session), f"evt_{secrets.token_hex(8)}")

        def send() -> None:
            try:
                response = requests.post(
                    self.webhook_url,
                    data=payload,
                    headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
                    timeout=30,
                )
                self.deliveries.append((event_type, response.status_code))
            except requests.RequestException:
                self.deliveries.append((event_type, 0))

        thread = threading.Thread(target=send, daemon=True)
        self._delivery_threads.append(thread)
        thread.start()

    # --- the hosted page -----------------------------------------------------------------------

    def hosted_page(self, session_id: str) -> tuple[int, str]:
        session = self.sessions.get(session_id)
        if session is None:
            return 404, _page("Not found", "<p>This payment page does not exist.</p>")
        amount = f"{session['amount_total'] / 100:.2f} {session['currency'].upper()}"
        if session["status"] != "open":
            body = f"<p>This checkout session is {session['status']}.</p>"
            return 410, _page("Payment closed", body)
        cancel = html.escape(session["cancel_url"] or "")
        body = (
            f"<p>Amount due: <strong>{amount}</strong></p>"
            f'<form method="post" action="/pay/{session_id}">'
            '<label>Card number <input name="card" value="4242 4242 4242 4242"></label>'
            f'<button type="submit">Pay {amount}</button></form>'
            f'<form method="post" action="/pay/{session_id}/cancel">'
            f'<button type="submit">Cancel and go back</button></form>'
            f'<p class="cancel-url" hidden>{cancel}</p>'
        )
        return 200, _page("Stand-in Checkout", body)

    def hosted_post(self, path: str) -> tuple[int, str, str]:
        """(status, location, html) for a form posted on the hosted page."""
        parts = path.split("/")  # ["", "pay", id, ("cancel")]
        session_id = parts[2] if len(parts) > 2 else ""
        session = self.sessions.get(session_id)
        if session is None:
            return 404, "", _page("Not found", "<p>This payment page does not exist.</p>")
        if parts[3:] == ["cancel"]:
            return 303, session["cancel_url"] or "", ""
        paid = self.pay(session_id)
        if isinstance(paid, str):
            return 410, "", _page("Payment closed", f"<p>{html.escape(paid)}</p>")
        return 303, session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id), ""


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><title>{title}</title></head>"
        f"<body><h1>{title}</h1>{body}</body></html>"
    )
