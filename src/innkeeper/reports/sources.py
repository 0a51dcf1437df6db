"""Every model the reports read, imported in one place: when a model moves between apps
(BookingCharges to bookings, say), only these lines change."""

from innkeeper.bookings.models import Booking, BookingCharges, BookingStatus
from innkeeper.payments.models import LedgerEntry
from innkeeper.rooms.models import Property, Room

__all__ = ["Booking", "BookingCharges", "BookingStatus", "LedgerEntry", "Property", "Room"]
