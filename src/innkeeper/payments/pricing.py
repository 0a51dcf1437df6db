"""The price of a stay with its taxes and deposit, and the cancellation fee: policy in one place.

Room rates are VAT-inclusive (the VAT is shown on receipts); the tourist tax is per person
per night, added on top and outside VAT.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from innkeeper.bookings.models import Booking
from innkeeper.payments.models import (
    BookingCharges,
    DepositKind,
    LateCancelKind,
    PaymentPolicy,
)
from innkeeper.payments.money import ZERO, percent_of, quantize, vat_included
from innkeeper.rooms.models import Property


@dataclass(frozen=True)
class Quote:
    currency: str
    room_subtotal: Decimal
    tourist_tax: Decimal
    vat_percent: Decimal
    vat_amount: Decimal
    total: Decimal
    first_night: Decimal
    deposit_due: Decimal
    policy: PaymentPolicy


def policy_for(prop: Property) -> PaymentPolicy:
    """The property's policy, or the defaults (no tax, no deposit, free until 48 h before)."""
    found = PaymentPolicy.objects.filter(property=prop).first()
    return found or PaymentPolicy(property=prop)


def loaded_policy(prop: Property) -> PaymentPolicy:
    """The policy fetched with `prop` by `select_related("property__payment_policy")`: no query
    of its own (the booking path loads it with the room lock). Otherwise it queries once."""
    try:
        return prop.payment_policy
    except PaymentPolicy.DoesNotExist:
        return PaymentPolicy(property=prop)


def stay_quote(
    *,
    prop: Property,
    nightly_rate: Decimal,
    nights: int,
    guests: int,
    policy: PaymentPolicy | None = None,
) -> Quote:
    """The price of a stay now. `policy` saves a query when quoting many rooms of `prop`."""
    policy = policy or policy_for(prop)
    cur = prop.currency
    room = quantize(nightly_rate * nights, cur)
    tax = quantize(policy.tourist_tax_per_person_night * guests * nights, cur)
    total = room + tax
    first_night = quantize(nightly_rate + policy.tourist_tax_per_person_night * guests, cur)
    deposit = {
        DepositKind.NONE: ZERO,
        DepositKind.FIRST_NIGHT: first_night,
        DepositKind.PERCENTAGE: percent_of(total, policy.deposit_percent, cur),
        DepositKind.FULL: total,
    }[DepositKind(policy.deposit_kind)]
    return Quote(
        currency=cur,
        room_subtotal=room,
        tourist_tax=tax,
        vat_percent=policy.vat_percent,
        vat_amount=vat_included(room, policy.vat_percent, cur),
        total=total,
        first_night=first_night,
        deposit_due=quantize(min(deposit, total), cur),
        policy=policy,
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


def cancellation_deadline(*, prop: Property, check_in: date, hours: int) -> datetime:
    """N hours before check-in time on the arrival day, in the property's time zone."""
    arrival = datetime.combine(check_in, prop.check_in_time, tzinfo=prop.zone)
    return arrival - timedelta(hours=hours)


def free_cancellation_deadline(booking: Booking, charges: BookingCharges) -> datetime:
    return cancellation_deadline(
        prop=booking.property, check_in=booking.check_in, hours=charges.free_cancellation_hours
    )


def cancellation_fee(booking: Booking, charges: BookingCharges, at: datetime) -> Decimal:
    """What the property keeps when the booking is cancelled at `at`."""
    if at < free_cancellation_deadline(booking, charges):
        return quantize(ZERO, charges.currency)
    if charges.late_cancel_kind == LateCancelKind.FIRST_NIGHT:
        return charges.first_night
    return percent_of(charges.total, charges.late_cancel_percent, charges.currency)
