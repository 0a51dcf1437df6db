"""The price fixed on a booking when it is made (`BookingCharges`) and its cancellation terms.

The rules are `rooms.pricing`'s; this module only stores and reads what they gave."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from innkeeper.bookings.models import Booking, BookingCharges
from innkeeper.rooms.pricing import (
    CancellationTerms,
    Quote,
    cancellation_deadline,
    cancellation_fee,
)


def charges_record(*, booking: Booking, quote: Quote) -> BookingCharges:
    """Fix the price and the policy on the booking, as they are now."""
    policy = quote.policy
    return BookingCharges.objects.create(
        booking=booking,
        currency=quote.currency,
        room_subtotal=quote.room_subtotal,
        tourist_tax=quote.tourist_tax,
        vat_percent=quote.vat_percent,
        vat_amount=quote.vat_amount,
        total=quote.total,
        first_night=quote.first_night,
        deposit_due=quote.deposit_due,
        free_cancellation_hours=policy.free_cancellation_hours,
        late_cancel_kind=policy.late_cancel_kind,
        late_cancel_percent=policy.late_cancel_percent,
    )


def free_cancellation_deadline(booking: Booking, charges: BookingCharges) -> datetime:
    return cancellation_deadline(
        prop=booking.property, check_in=booking.check_in, hours=charges.free_cancellation_hours
    )


def booking_cancellation_fee(booking: Booking, charges: BookingCharges, at: datetime) -> Decimal:
    """What the property keeps when this booking is cancelled at `at`, by its fixed terms."""
    terms = CancellationTerms(
        currency=charges.currency,
        free_until=free_cancellation_deadline(booking, charges),
        late_cancel_kind=charges.late_cancel_kind,
        late_cancel_percent=charges.late_cancel_percent,
        total=charges.total,
        first_night=charges.first_night,
    )
    return cancellation_fee(terms, at)
