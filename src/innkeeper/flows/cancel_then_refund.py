"""Cancel, then refund: a cancelled booking gives back what its cancellation policy says."""

from __future__ import annotations

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking
from innkeeper.bookings.services import booking_cancel
from innkeeper.payments.refunds import refunds_on_cancellation


def booking_cancel_then_refund(*, reference: str, actor: User | None, reason: str = "") -> Booking:
    """Guests cancel their own bookings, staff any (bookings decides). Once the cancellation
    is committed (the dates are free at once), the policy refund is issued; a provider that
    cannot be reached leaves the refund open for reconciliation, never the booking active."""
    booking = booking_cancel(reference=reference, actor=actor, reason=reason)
    refunds_on_cancellation(booking=booking, actor=actor)
    return booking
