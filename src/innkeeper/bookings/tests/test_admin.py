"""Admin writes go through the booking services: a taken room is a form error, not a 500."""

from __future__ import annotations

from django.test import Client

from innkeeper.bookings.models import Booking, BookingEvent


def _add(client: Client, room, stay, **extra):
    data = {
        "room": room.pk,
        "guest_name": "Walk In",
        "guest_email": "walkin@example.com",
        "guest_phone": "",
        "guests": 2,
        "check_in": stay[0],
        "check_out": stay[1],
        "notes": "",
        "events-TOTAL_FORMS": 0,
        "events-INITIAL_FORMS": 0,
        **extra,
    }
    return client.post("/admin/bookings/booking/add/", data)


def test_staff_creates_booking_through_service(staff, room, stay):
    client = Client()
    client.force_login(staff)
    response = _add(client, room, stay)
    assert response.status_code == 302, response.content.decode()[:2000]
    booking = Booking.objects.get()
    assert booking.created_by == staff and booking.status == "confirmed"
    assert BookingEvent.objects.filter(booking=booking, action="booking.created").exists()

    taken = _add(client, room, stay)
    assert taken.status_code == 200
    assert "already booked" in taken.content.decode()
    assert Booking.objects.count() == 1


def test_admin_cancel_action_uses_service(staff, make_booking):
    booking = make_booking()
    client = Client()
    client.force_login(staff)
    response = client.post(
        "/admin/bookings/booking/", {"action": "action_cancel", "_selected_action": [booking.pk]}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.cancelled_at is not None
    assert BookingEvent.objects.filter(
        booking=booking, actor=staff, action="booking.cancelled"
    ).exists()


def test_guests_cannot_use_the_admin(guest):
    client = Client()
    client.force_login(guest)
    assert client.get("/admin/bookings/booking/").status_code == 302
