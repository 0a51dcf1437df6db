"""Issue 12 finding 8: every door that makes a booking validates `guest_email`, and the desk
page never turns a stored address into a mailto with extra headers."""

from __future__ import annotations

import pytest
from django.test import Client

from innkeeper.bookings.models import Booking
from innkeeper.core.errors import InvalidInput

BAD = ["not-an-email", "a@x?cc=evil@y", "a@x\nBcc: evil@y"]


@pytest.mark.parametrize("email", BAD)
def test_api_refuses_bad_guest_email(guest_api, room, stay, email):
    body = {
        "room_id": room.pk,
        "check_in": str(stay[0]),
        "check_out": str(stay[1]),
        "guests": 1,
        "guest_email": email,
    }
    response = guest_api.post("/api/v1/bookings", body)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] in {"invalid_email", "validation_error", "invalid_input"}
    assert not Booking.objects.exists()


@pytest.mark.parametrize("email", BAD)
def test_service_refuses_bad_guest_email(make_booking, email):
    """The admin and the desk book through this service too."""
    with pytest.raises(InvalidInput) as caught:
        make_booking(guest=None, guest_email=email, guest_name="Walk-in")
    assert caught.value.extra["field"] == "guest_email"
    assert not Booking.objects.exists()


def test_desk_page_encodes_stored_address_in_mailto(make_booking, staff):
    """An address stored before validation existed must not become a mailto with a cc."""
    booking = make_booking()
    Booking.objects.filter(pk=booking.pk).update(guest_email="a@x?cc=evil@y")
    client = Client()
    client.force_login(staff)
    page = client.get(f"/desk/bookings/{booking.reference}/").content.decode()
    assert 'href="mailto:a@x?cc=' not in page
    assert 'href="mailto:a@x%3Fcc%3Devil@y"' in page
