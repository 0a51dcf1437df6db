"""Issue 13 §2 end to end in Debian's Chromium: a guest changes their stay from the manage
page (quote, then change); staff move an in-house guest to another room from the desk."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking
from innkeeper.bookings.services import booking_check_in, booking_create
from innkeeper.conftest import PASSWORD
from innkeeper.rooms.models import Room
from innkeeper.testing.browser import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, base: str, path: str, user: User) -> None:
    page.goto(f"{base}{path}")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in|Log in")).click()


def test_guest_changes_dates_from_my_bookings(
    live_server: Any, new_page: Any, room: Room, guest: User, stay: tuple[date, date]
) -> None:
    booking = booking_create(
        room_id=room.pk,
        check_in=stay[0],
        check_out=stay[1],
        guests=2,
        created_by=guest,
        guest=guest,
    )
    page = new_page()
    _sign_in(page, live_server.url, "/account/login/?next=/my-bookings/", guest)
    page.goto(f"{live_server.url}/my-bookings/")
    page.get_by_role("link", name=f"Change booking {booking.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change booking")
    page.get_by_label("Check-out").fill(str(stay[1] + timedelta(days=1)))
    page.get_by_role("button", name="See the price").click()
    expect(page.locator(".change-money")).to_contain_text("Difference: 100.00 EUR")
    shoot(page, "guest-change-quote")
    Booking.objects.get(pk=booking.pk)  # unchanged so far
    assert Booking.objects.get(pk=booking.pk).check_out == stay[1]
    page.get_by_role("button", name=f"Change booking {booking.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My bookings")
    expect(page.locator(".msg-success")).to_contain_text("new total 400.00 EUR")
    assert Booking.objects.get(pk=booking.pk).check_out == stay[1] + timedelta(days=1)


def test_staff_move_an_in_house_guest_to_another_room(
    live_server: Any, new_page: Any, room: Room, staff: User, guest: User, today: date
) -> None:
    other = Room.objects.create(property=room.property, room_type=room.room_type, number="102")
    booking = booking_create(
        room_id=room.pk,
        check_in=today,
        check_out=today + timedelta(days=2),
        guests=2,
        created_by=guest,
        guest=guest,
        guest_name="Youssef Benali",
    )
    booking_check_in(reference=booking.reference, actor=staff)
    page = new_page()
    _sign_in(page, live_server.url, "/desk/login/", staff)
    page.goto(f"{live_server.url}/desk/bookings/{booking.reference}/")
    page.get_by_role("link", name="Change or move booking").click()
    page.get_by_label("Room", exact=True).select_option(str(other.pk))
    page.get_by_label("Keep the price").check()
    page.get_by_label("Reason (history)").fill("shower broken")
    page.get_by_role("button", name="See the price").click()
    expect(page.locator(".change-quote")).to_contain_text("102")
    shoot(page, "desk-change-quote")
    page.get_by_role("button", name=f"Change booking {booking.reference}").click()
    expect(page.locator(".msg-success")).to_contain_text("new total 200.00 EUR")
    expect(page.locator(".history")).to_contain_text("room_number 101→102")
    assert Booking.objects.get(pk=booking.pk).room == other
