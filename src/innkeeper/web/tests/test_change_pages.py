"""Issue 13 §2 on the pages: the guest's manage page and the desk change a booking, with a
quote first; no JavaScript needed. Django's client here; Chromium in test_change_browser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from innkeeper.bookings.services import booking_check_in
from innkeeper.conftest import make_user
from innkeeper.core.models import AuditEvent
from innkeeper.rooms.models import Room


@pytest.fixture
def room_102(room):
    return Room.objects.create(property=room.property, room_type=room.room_type, number="102")


def _form(booking, **changes):
    data = {
        "check_in": str(booking.check_in),
        "check_out": str(booking.check_out),
        "guests": str(booking.guests),
        "room_type": "",
    }
    data.update({k: str(v) for k, v in changes.items()})
    return data


def test_guest_sees_the_quote_then_changes(make_booking, guest, stay):
    booking = make_booking()
    client = Client()
    client.force_login(guest)
    url = f"/bookings/{booking.reference}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"See the price" in page.content
    new_out = stay[1] + timedelta(days=1)
    quote = client.post(url, {**_form(booking, check_out=new_out), "action": "preview"})
    assert quote.status_code == 200
    text = quote.content.decode()
    assert "400.00" in text and "300.00" in text and "Difference" in text
    booking.refresh_from_db()
    assert booking.check_out == stay[1]  # a quote changes nothing
    done = client.post(url, {**_form(booking, check_out=new_out), "action": "confirm"})
    assert done.status_code == 302
    booking.refresh_from_db()
    assert booking.check_out == new_out and booking.total_price == 400
    assert AuditEvent.objects.get(action="booking.changed").source == "web"
    follow = client.get(done["Location"])
    assert b"is changed: new total 400.00 EUR" in follow.content


def test_guest_page_refuses_with_the_reason_and_changes_nothing(make_booking, guest, stay):
    make_booking(check_in=stay[1], check_out=stay[1] + timedelta(days=2))
    booking = make_booking()
    client = Client()
    client.force_login(guest)
    url = f"/bookings/{booking.reference}/change/"
    too_many = client.post(url, {**_form(booking, guests=5), "action": "preview"})
    assert too_many.status_code == 422
    assert b"at most 2" in too_many.content or b"less than or equal" in too_many.content
    clash = client.post(
        url,
        {**_form(booking, check_out=stay[1] + timedelta(days=1)), "action": "confirm"},
    )
    assert clash.status_code == 409
    assert b"already booked" in clash.content
    booking.refresh_from_db()
    assert booking.check_out == stay[1]


def test_someone_elses_booking_is_not_found(make_booking):
    booking = make_booking()
    client = Client()
    client.force_login(make_user("nosy@example.com"))
    assert client.get(f"/bookings/{booking.reference}/change/").status_code == 404


def test_desk_moves_an_in_house_guest_at_no_charge(make_booking, staff, today, room_102):
    booking = make_booking(check_in=today, check_out=today + timedelta(days=2))
    booking_check_in(reference=booking.reference, actor=staff)
    client = Client()
    client.force_login(staff)
    detail = client.get(f"/desk/bookings/{booking.reference}/")
    assert b"Change or move booking" in detail.content
    url = f"/desk/bookings/{booking.reference}/change/"
    data = {"room": room_102.pk, "keep_price": "on", "reason": "shower broken"}
    quote = client.post(url, {**data, "action": "preview"})
    assert quote.status_code == 200, quote.content
    done = client.post(url, {**data, "action": "confirm"})
    assert done.status_code == 302
    booking.refresh_from_db()
    assert booking.room == room_102 and booking.status == "checked_in"
    assert booking.total_price == 200
    history = client.get(done["Location"]).content.decode()
    assert "booking.changed" in history and "room_number 101→102" in history


def test_desk_change_needs_staff(make_booking, guest):
    booking = make_booking()
    client = Client()
    client.force_login(guest)
    response = client.get(f"/desk/bookings/{booking.reference}/change/")
    assert response.status_code == 302 and "/desk/login/" in response["Location"]
