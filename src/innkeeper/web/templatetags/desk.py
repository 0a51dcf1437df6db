from __future__ import annotations

from django import template

from innkeeper.bookings.models import Booking
from innkeeper.bookings.models import BookingStatus as S

register = template.Library()

# The buttons the desk offers for each status; the services still decide what is allowed.
BUTTONS: dict[str, list[tuple[str, str]]] = {
    S.PENDING: [("confirm", "Confirm"), ("cancel", "Cancel")],
    S.CONFIRMED: [("check-in", "Check in"), ("no-show", "No-show"), ("cancel", "Cancel")],
    S.CHECKED_IN: [("check-out", "Check out")],
}


@register.filter
def desk_buttons(booking: Booking) -> list[tuple[str, str]]:
    return BUTTONS.get(booking.status, [])
