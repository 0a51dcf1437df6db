"""Many callers racing for one room: exactly one booking, everyone else `room_unavailable`.

Real threads against the real database (SQLite file or PostgreSQL), no mocked locks.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import requests

from innkeeper.accounts.services import token_issue
from innkeeper.bookings.models import Booking
from innkeeper.bookings.selectors import overlap_report
from innkeeper.bookings.services import booking_create
from innkeeper.conftest import make_user
from innkeeper.testing.race import race

pytestmark = [pytest.mark.slow, pytest.mark.integrity, pytest.mark.django_db(transaction=True)]
RACERS = 16


def test_sixteen_threads_same_room_overlapping_dates(room, stay):
    users = [make_user(f"racer{i}@example.com") for i in range(RACERS)]

    def book(index: int) -> str:
        # Every racer wants a different but overlapping slice of the same week.
        shift = timedelta(days=index % 3)
        booking_create(
            room_id=room.pk,
            check_in=stay[0] + shift,
            check_out=stay[1] + shift,
            guests=1,
            created_by=users[index],
            guest=users[index],
        )
        return "booked"

    outcomes = race(book, RACERS)
    assert outcomes == Counter({"booked": 1, "room_unavailable": RACERS - 1})
    assert Booking.objects.count() == 1
    assert overlap_report() == []


def test_sixteen_http_clients_same_room(live_server, room, stay):
    tokens = [token_issue(user=make_user(f"web{i}@example.com")).token for i in range(RACERS)]
    url = f"{live_server.url}/api/v1/bookings"
    body = {"room_id": room.pk, "check_in": str(stay[0]), "check_out": str(stay[1]), "guests": 2}

    def book(index: int) -> str:
        response = requests.post(
            url, json=body, timeout=60, headers={"Authorization": f"Bearer {tokens[index]}"}
        )
        if response.status_code == 201:
            return "booked"
        assert response.headers["Content-Type"] == "application/problem+json"
        return str(response.json()["code"])

    outcomes = race(book, RACERS)
    assert outcomes == Counter({"booked": 1, "room_unavailable": RACERS - 1})
    assert Booking.objects.count() == 1


def test_concurrent_replays_of_one_idempotency_key_book_once(live_server, room, stay):
    token = token_issue(user=make_user("retry@example.com")).token
    url = f"{live_server.url}/api/v1/bookings"
    body = {"room_id": room.pk, "check_in": str(stay[0]), "check_out": str(stay[1]), "guests": 2}
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "same-key-1"}
    references: list[str] = []

    def book(index: int) -> str:
        response = requests.post(url, json=body, headers=headers, timeout=60)
        if response.status_code == 201:
            references.append(response.json()["reference"])
        return str(response.status_code)

    outcomes = race(book, 8)
    assert outcomes == Counter({"201": 8})
    assert len(set(references)) == 1
    assert Booking.objects.count() == 1
