"""Issue 13 §2 race: many callers moving bookings into (or booking) one free room for the
same nights. Exactly one wins, every other gets `room_unavailable`, nothing overlaps.

Real threads against the real database (SQLite file or PostgreSQL), no mocked locks."""

from __future__ import annotations

from collections import Counter

import pytest
import requests
from django.core.management import call_command

from innkeeper.accounts.services import token_issue
from innkeeper.bookings.change_rules import ChangeRequest
from innkeeper.bookings.changes import booking_change
from innkeeper.bookings.models import Booking
from innkeeper.bookings.selectors import overlap_report
from innkeeper.bookings.services import booking_create
from innkeeper.conftest import make_user
from innkeeper.rooms.models import Room
from innkeeper.testing.race import race

pytestmark = [pytest.mark.slow, pytest.mark.integrity, pytest.mark.django_db(transaction=True)]
RACERS = 16


def _bookings_in_own_rooms(room, stay, count: int) -> list[Booking]:
    """`count` bookings of the same nights, each in a room of its own."""
    bookings = []
    for index in range(count):
        own = Room.objects.create(
            property=room.property, room_type=room.room_type, number=f"R{index:02d}"
        )
        bookings.append(
            booking_create(
                room_id=own.pk,
                check_in=stay[0],
                check_out=stay[1],
                guests=1,
                created_by=None,
                guest_name="Racer",
                guest_email=f"racer{index}@example.com",
            )
        )
    return bookings


def _verify_clean() -> None:
    assert overlap_report() == []
    call_command("bookings", "verify")  # raises CommandError (exit 1) on any overlap


def test_sixteen_threads_move_different_bookings_into_one_room(room, stay):
    bookings = _bookings_in_own_rooms(room, stay, RACERS)

    def move(index: int) -> str:
        booking_change(
            reference=bookings[index].reference,
            actor=None,
            request=ChangeRequest(room_id=room.pk),
        )
        return "moved"

    outcomes = race(move, RACERS)
    assert outcomes == Counter({"moved": 1, "room_unavailable": RACERS - 1})
    assert Booking.objects.filter(room=room).count() == 1
    # The losers are exactly as they were, in their own rooms.
    for booking in Booking.objects.exclude(room=room):
        assert booking.room.number.startswith("R") and booking.check_in == stay[0]
    _verify_clean()


def test_changes_and_creations_race_for_one_room(room, stay):
    bookings = _bookings_in_own_rooms(room, stay, RACERS // 2)
    users = [make_user(f"creator{i}@example.com") for i in range(RACERS // 2)]

    def move_or_book(index: int) -> str:
        if index % 2:
            booking_change(
                reference=bookings[index // 2].reference,
                actor=None,
                request=ChangeRequest(room_id=room.pk),
            )
            return "won"
        user = users[index // 2]
        booking_create(
            room_id=room.pk,
            check_in=stay[0],
            check_out=stay[1],
            guests=1,
            created_by=user,
            guest=user,
        )
        return "won"

    outcomes = race(move_or_book, RACERS)
    assert outcomes == Counter({"won": 1, "room_unavailable": RACERS - 1})
    assert Booking.objects.filter(room=room).count() == 1
    _verify_clean()


def test_sixteen_http_clients_change_into_one_room(live_server, room, stay):
    bookings = _bookings_in_own_rooms(room, stay, RACERS)
    staff = make_user("desk-race@example.com", "front_desk")
    token = token_issue(user=staff).token

    def move(index: int) -> str:
        response = requests.post(
            f"{live_server.url}/api/v1/bookings/{bookings[index].reference}/change",
            json={"room_id": room.pk},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"race-{index}"},
            timeout=60,
        )
        if response.status_code == 200:
            return "moved"
        assert response.headers["Content-Type"] == "application/problem+json"
        return str(response.json()["code"])

    outcomes = race(move, RACERS)
    assert outcomes == Counter({"moved": 1, "room_unavailable": RACERS - 1})
    assert Booking.objects.filter(room=room).count() == 1
    _verify_clean()
