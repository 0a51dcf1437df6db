"""The booking load of the multi-node run: many clients booking random rooms and dates
through the proxy, each request timed and classified, and the report at the end."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import requests

# Answers that are part of the design: a booking race lost (409) and maintenance (503).
BY_DESIGN = {201, 409}
# nginx found no live node (502/504) or the connection to nginx failed (599).
PROXY_ERRORS = {502, 504, 599}


@dataclass
class Sample:
    at: float
    seconds: float
    status: int
    retried: bool
    first: int  # the first attempt's answer (599: no answer, the connection failed)


@dataclass
class Load:
    base: str
    tokens: list[str]
    room_ids: list[int]
    samples: list[Sample] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    started: float = field(default_factory=time.monotonic)

    def _post(self, session: requests.Session, body: dict[str, object], key: str) -> int:
        response = session.post(
            f"{self.base}/api/v1/bookings", json=body, headers={"Idempotency-Key": key}, timeout=30
        )
        if response.status_code == 201:
            with self.lock:
                self.created.append(response.json()["reference"])
        return response.status_code

    def _one(self, session: requests.Session, rng: random.Random) -> None:
        check_in = date.today() + timedelta(days=rng.randint(20, 80))
        body = {
            "room_id": rng.choice(self.room_ids),
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=rng.randint(1, 3))).isoformat(),
            "guests": 1,
        }
        key, began = uuid.uuid4().hex, time.monotonic()
        try:
            status = self._post(session, body, key)
        except requests.RequestException:
            status = 599
        retried, first = False, status
        if status in PROXY_ERRORS:
            # The node died mid-request: a client retries with the same Idempotency-Key, which
            # replays the first answer if the booking was made.
            retried = True
            try:
                status = self._post(session, body, key)
            except requests.RequestException:
                status = 599
        with self.lock:
            self.samples.append(
                Sample(began - self.started, time.monotonic() - began, status, retried, first)
            )

    def client(self, seed: int) -> None:
        rng = random.Random(seed)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.tokens[seed % len(self.tokens)]}"
        while not self.stop.is_set():
            self._one(session, rng)
            self.stop.wait(0.05)  # a little think time: the load shares the CPUs with the nodes

    def run(self, clients: int) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        return threads


def failures(samples: list[Sample], maintenance: tuple[float, float]) -> Counter[int]:
    """Answers not by design: anything but 201/409, and 503 outside the maintenance window
    (plus a second of propagation: ops state is cached per process for a second)."""
    bad: Counter[int] = Counter()
    start, end = maintenance
    for sample in samples:
        if sample.status in BY_DESIGN:
            continue
        if sample.status == 503 and start - 1 <= sample.at <= end + 1.5:
            continue
        bad[sample.status] += 1
    return bad


def proxy_errors(samples: list[Sample], allowed: list[tuple[float, float]]) -> Counter[int]:
    """First attempts that got a proxy error outside `allowed` (a node SIGKILLed mid-request:
    its in-flight requests get a 502 and the client retries them)."""
    bad: Counter[int] = Counter()
    for sample in samples:
        if sample.first in PROXY_ERRORS and not any(a <= sample.at <= b for a, b in allowed):
            bad[sample.first] += 1
    return bad


def report(samples: list[Sample], events: list[tuple[float, float, str]], bad: Counter[int]) -> str:
    lines = [
        f"requests: {len(samples)}",
        "by status: "
        + ", ".join(f"{k}: {v}" for k, v in sorted(Counter(s.status for s in samples).items())),
        "first attempts with a proxy error (502/504, 599 = connection failed): "
        + _counts(Counter(s.first for s in samples if s.first in PROXY_ERRORS)),
        f"retried once with the same Idempotency-Key: {sum(s.retried for s in samples)}",
        "failures (not by design, after the retry): " + _counts(bad),
        f"max latency overall: {max((s.seconds for s in samples), default=0):.2f} s",
        "per event (from its start until 2 s after it finished):",
    ]
    for at, done, name in events:
        window = [s for s in samples if at <= s.at <= done + 2]
        first = Counter(s.first for s in window if s.first in PROXY_ERRORS)
        lines.append(
            f"  t={at:5.1f}-{done:5.1f}s {name}: {len(window)} requests, max latency "
            f"{max((s.seconds for s in window), default=0):.2f} s, by status "
            f"{_counts(Counter(s.status for s in window))}, first-attempt proxy errors "
            f"{_counts(first)}"
        )
    return "\n".join(lines)


def _counts(counter: Counter[int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(counter.items())) or "none"
