"""A real `innkeeper serve` under 200 slow clients (issue 12, findings 1 and 3).

Half trickle their headers, half send headers and never finish their body. Meanwhile `/up`
and a booking must answer within a second, and the server must close the slow connections
after its header / body timeouts. The timeouts are set short by environment so the same test
also runs against servers without the `--header-timeout` option.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import requests

from innkeeper.testing.processes import InnkeeperServer, innkeeper_server, wait_until

SLOW_CLIENTS = 200
HEADER_TIMEOUT = 2
BODY_TIMEOUT = 3
ANSWER_WITHIN = 1.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InnkeeperServer]:
    tmp = tmp_path_factory.mktemp("slow")
    args = ("--no-worker", "--no-scheduler")
    env = {"SERVER_HEADER_TIMEOUT": str(HEADER_TIMEOUT), "SERVER_BODY_TIMEOUT": str(BODY_TIMEOUT)}
    with innkeeper_server(tmp, serve_args=args, **env) as running:
        running.cli("demo", "--if-empty")
        yield running


def _token(server: InnkeeperServer) -> str:
    account = {"email": "slow@example.com", "password": "a long passphrase 4 slow"}
    requests.post(f"{server.base}/api/v1/auth/register", json=account, timeout=10)
    login = requests.post(f"{server.base}/api/v1/auth/login", json=account, timeout=10)
    assert login.status_code == 200, login.text
    return str(login.json()["token"])


def _book(server: InnkeeperServer, token: str, room_id: int, nth: int) -> requests.Response:
    start = date.today() + timedelta(days=30 + 3 * nth)
    body = {"room_id": room_id, "check_in": str(start), "check_out": str(start + timedelta(2))}
    return requests.post(
        f"{server.base}/api/v1/bookings",
        json={**body, "guests": 1},
        headers={"Authorization": f"Bearer {token}"},
        timeout=ANSWER_WITHIN,
    )


class SlowClients:
    """Raw sockets: headers trickled a line every 0.5 s, or a body that never completes."""

    def __init__(self, port: int, count: int) -> None:
        self.port = port
        self.headers_only = [self._open() for _ in range(count // 2)]
        self.unfinished_bodies = [self._open() for _ in range(count - count // 2)]
        self.stop = threading.Event()
        for sock in self.headers_only:
            sock.sendall(b"GET /up HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        body_head = (
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"
        )
        for sock in self.unfinished_bodies:
            sock.sendall(body_head)
        self.trickler = threading.Thread(target=self._trickle, daemon=True)
        self.trickler.start()

    def _open(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        return sock

    def _trickle(self) -> None:
        while not self.stop.wait(0.5):
            for sock in self.headers_only:
                with contextlib.suppress(OSError):  # closed by the server: what we want
                    sock.sendall(b"X-Slow: 1\r\n")

    def close(self) -> None:
        self.stop.set()
        self.trickler.join(5)
        for sock in self.headers_only + self.unfinished_bodies:
            sock.close()


def _closed_by_server(sock: socket.socket) -> bytes | None:
    """What the server sent before closing, or None while it keeps the connection open."""
    sock.settimeout(0.05)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        return None
    except OSError:
        pass  # reset by the server
    return received


def test_up_and_a_booking_answer_during_200_slow_clients(server):
    token = _token(server)
    room_id = requests.get(f"{server.base}/api/v1/rooms", timeout=10).json()[0]["id"]
    assert _book(server, token, room_id, 0).status_code == 201  # warm: imports, first queries
    slow = SlowClients(server.port, SLOW_CLIENTS)
    try:
        time.sleep(0.5)  # every slow client has started its request
        for nth in range(1, 4):
            started = time.monotonic()
            live = requests.get(f"{server.base}/up", timeout=ANSWER_WITHIN)
            assert live.status_code == 200
            booked = _book(server, token, room_id, nth)
            assert booked.status_code == 201, booked.text
            assert time.monotonic() - started < 2 * ANSWER_WITHIN
    finally:
        slow.close()


def test_slow_clients_are_cut_off_after_the_timeouts(server):
    slow = SlowClients(server.port, 20)
    try:
        # Trickled headers never complete: closed after SERVER_HEADER_TIMEOUT, no response.
        assert wait_until(
            lambda: all(_closed_by_server(s) is not None for s in slow.headers_only),
            HEADER_TIMEOUT + 5,
            0.2,
        ), "connections trickling headers were kept open"
        # A body that never completes: 408 problem+json after SERVER_BODY_TIMEOUT.
        answers: dict[int, bytes] = {}

        def all_answered() -> bool:
            for index, sock in enumerate(slow.unfinished_bodies):
                if index not in answers and (got := _closed_by_server(sock)) is not None:
                    answers[index] = got
            return len(answers) == len(slow.unfinished_bodies)

        assert wait_until(all_answered, BODY_TIMEOUT + 5, 0.2), "unfinished bodies kept open"
        assert all(a.startswith(b"HTTP/1.1 408") for a in answers.values()), answers[0][:200]
        problem = json.loads(answers[0].split(b"\r\n\r\n", 1)[1])
        assert problem["code"] == "request_timeout"
    finally:
        slow.close()


def test_a_client_script_name_header_does_not_walk_around_maintenance(server):
    """gunicorn turned `SCRIPT_NAME: /up` from a loopback peer into the script name, so
    `/up/api/v1/rooms` reached the rooms API past maintenance (finding 3)."""
    server.cli("maintenance", "down", "--retry", "60")
    try:
        rooms = f"{server.base}/up/api/v1/rooms"

        def refused() -> bool:
            answer = requests.get(rooms, headers={"SCRIPT_NAME": "/up"}, timeout=5)
            return answer.status_code != 200

        assert wait_until(refused, 5, 0.2), "SCRIPT_NAME walked around maintenance"
        walked = requests.get(rooms, headers={"SCRIPT_NAME": "/up"}, timeout=5)
        assert walked.status_code in (404, 503)
        assert "room_type" not in walked.text
    finally:
        server.cli("maintenance", "up")
