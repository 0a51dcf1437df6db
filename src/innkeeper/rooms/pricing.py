"""The price of a stay with its taxes and deposit, and the cancellation fee: one function
used by the availability search, the booking, the pages, the emails and the receipts.

Room rates are VAT-inclusive (the VAT is shown on receipts); the tourist tax is per person
per night, added on top and outside VAT. Rounding is `core.money.quantize`, once per line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from innkeeper.core.money import ZERO, percent_of, quantize, vat_included
from innkeeper.rooms.models import DepositKind, LateCancelKind, PaymentPolicy, Property


@dataclass(frozen=True)
class Quote:
    """The lines of a stay's price, as availability shows them and the booking stores them."""

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


def property_policies(properties: Iterable[Property]) -> dict[int, PaymentPolicy]:
    """Each property's policy in one query (defaults for those without one)."""
    props = list(properties)
    found = {p.property_id: p for p in PaymentPolicy.objects.filter(property__in=props)}
    return {prop.pk: found.get(prop.pk) or PaymentPolicy(property=prop) for prop in props}


def _deposit(policy: PaymentPolicy, *, total: Decimal, first_night: Decimal, cur: str) -> Decimal:
    kind = DepositKind(policy.deposit_kind)
    if kind == DepositKind.FIRST_NIGHT:
        deposit = first_night
    elif kind == DepositKind.PERCENTAGE:
        deposit = percent_of(total, policy.deposit_percent, cur)
    elif kind == DepositKind.FIXED:
        deposit = quantize(policy.deposit_amount, cur)
    elif kind == DepositKind.FULL:
        deposit = total
    else:
        deposit = ZERO
    return quantize(min(deposit, total), cur)


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
    return Quote(
        currency=cur,
        room_subtotal=room,
        tourist_tax=tax,
        vat_percent=Decimal(policy.vat_percent).quantize(Decimal("0.01")),
        vat_amount=vat_included(room, policy.vat_percent, cur),
        total=total,
        first_night=first_night,
        deposit_due=_deposit(policy, total=total, first_night=first_night, cur=cur),
        policy=policy,
    )


def cancellation_deadline(*, prop: Property, check_in: date, hours: int) -> datetime:
    """N hours before check-in time on the arrival day, in the property's time zone."""
    arrival = datetime.combine(check_in, prop.check_in_time, tzinfo=prop.zone)
    return arrival - timedelta(hours=hours)


@dataclass(frozen=True)
class CancellationTerms:
    """What a booking fixed about cancelling: its deadline and what a late cancel keeps."""

    currency: str
    free_until: datetime
    late_cancel_kind: str
    late_cancel_percent: Decimal
    total: Decimal
    first_night: Decimal


def cancellation_fee(terms: CancellationTerms, at: datetime) -> Decimal:
    """What the property keeps when the booking is cancelled at `at`."""
    if at < terms.free_until:
        return quantize(ZERO, terms.currency)
    if terms.late_cancel_kind == LateCancelKind.FIRST_NIGHT:
        return quantize(terms.first_night, terms.currency)
    return percent_of(terms.total, terms.late_cancel_percent, terms.currency)
