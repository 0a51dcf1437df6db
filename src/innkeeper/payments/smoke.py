"""The runbooks' smoke test over real HTTP: login, search, book, pay, cancel."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen


class SmokeFailure(Exception):
    pass


@dataclass
class SmokeRun:
    url: str
    email: str
    password: str
    provider: str = "pay_at_property"
    days_ahead: int = 60
    timeout: float = 10.0
    say: Callable[[str], None] = print
    token: str = ""
    state: dict[str, Any] = field(default_factory=dict)

    def call(self, method: str, path: str, body: Any = None, key: str = "") -> Any:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if key:
            headers["Idempotency-Key"] = key
        data = None if body is None else json.dumps(body).encode()
        url = self.url.rstrip("/") + path
        request = Request(url, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - operator URL
                return json.loads(response.read() or b"null")
        except HTTPError as error:
            raise SmokeFailure(f"{method} {path} -> {error.code} {_detail(error)}") from error
        except (URLError, TimeoutError, OSError) as error:
            raise SmokeFailure(f"{method} {path} -> {error}") from error

    def login(self) -> str:
        body = self.call(
            "POST", "/api/v1/auth/login", {"email": self.email, "password": self.password}
        )
        self.token = body["token"]
        return f"logged in as {self.email}"

    def search(self) -> str:
        check_in = date.today() + timedelta(days=self.days_ahead)
        self.state["dates"] = (str(check_in), str(check_in + timedelta(days=1)))
        query = f"?check_in={self.state['dates'][0]}&check_out={self.state['dates'][1]}&guests=1"
        rooms = self.call("GET", "/api/v1/availability" + query)["rooms"]
        if not rooms:
            raise SmokeFailure(f"no free room for {self.state['dates'][0]} (try --days-ahead)")
        self.state["room"] = rooms[0]["room_id"]
        return f"{len(rooms)} free room(s) on {self.state['dates'][0]}"

    def book(self) -> str:
        body = {
            "room_id": self.state["room"],
            "check_in": self.state["dates"][0],
            "check_out": self.state["dates"][1],
            "guests": 1,
            "guest_name": "Smoke Test",
            "guest_email": self.email,
            "notes": "innkeeper smoke test; cancelled at once",
        }
        booking = self.call("POST", "/api/v1/bookings", body, key=str(uuid.uuid4()))
        self.state["reference"] = booking["reference"]
        return f"booked {booking['reference']} ({booking['status']})"

    def pay(self) -> str:
        body: dict[str, Any] = {"provider": self.provider, "purpose": "balance"}
        if self.provider == "pay_at_property":
            body["method"] = "card"
        path = f"/api/v1/bookings/{self.state['reference']}/payments"
        payment = self.call("POST", path, body, key=str(uuid.uuid4()))
        if self.provider == "stripe" and not payment["client_secret"]:
            raise SmokeFailure("Stripe returned no client_secret")
        return f"payment {payment['status']}: {payment['amount']} {payment['currency']}"

    def cancel(self) -> str:
        path = f"/api/v1/bookings/{self.state['reference']}/cancel"
        booking = self.call("POST", path, {"reason": "smoke test"})
        if booking["status"] != "cancelled":
            raise SmokeFailure(f"booking is {booking['status']} after cancel")
        return f"cancelled {booking['reference']}"

    def run(self) -> None:
        steps = [self.login, self.search, self.book, self.pay, self.cancel]
        for number, step in enumerate(steps, 1):
            started = time.monotonic()
            try:
                summary = step()
            except SmokeFailure as error:
                self.say(f"[{number}/{len(steps)}] {step.__name__}: FAIL {error}")
                self._clean_up(step)
                raise
            elapsed = (time.monotonic() - started) * 1000
            self.say(f"[{number}/{len(steps)}] {step.__name__}: ok {summary} ({elapsed:.0f} ms)")

    def _clean_up(self, failed: Callable[[], str]) -> None:
        """Leave no smoke booking holding a room after a failure past the booking step."""
        if "reference" not in self.state or failed == self.cancel:
            return
        try:
            self.say(f"clean-up: {self.cancel()}")
        except SmokeFailure as error:
            self.say(f"clean-up: could not cancel {self.state['reference']}: {error}")


def _detail(error: HTTPError) -> str:
    try:
        body = json.loads(error.read())
        return f"{body.get('code', '')}: {body.get('detail', '')}"
    except ValueError:
        return error.reason or ""
