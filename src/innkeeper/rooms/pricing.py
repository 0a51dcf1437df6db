"""The price of a stay with its taxes and deposit, and the cancellation fee: one function
used by the availability search, the booking, the pages, the emails and the receipts.

A stay's room price is the sum of its nights' rates (`rooms.rates.night_price`: season,
weekend or base rate, plus extra persons), less the best length-of-stay discount.

Room rates are VAT-inclusive (the VAT is shown on receipts); the tourist tax is per person
per night, added on top and outside VAT. Rounding is `core.money.quantize`, once per line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from innkeeper.core.money import ZERO, percent_of, quantize, vat_included
from innkeeper.rooms.models import (
    DepositKind,
    LateCancelKind,
    PaymentPolicy,
    Property,
    RoomType,
)
from innkeeper.rooms.rates import (
    NightPrice,
    RoomTypeRates,
    night_price,
    nights_of,
    stay_discount,
    stay_rates,
)


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
    # How the room subtotal was made: each night's price, and the length-of-stay discount
    # taken off their sum (room_subtotal = sum of nights - los_discount).
    nights: tuple[NightPrice, ...] = ()
    los_discount: Decimal = ZERO
    los_discount_percent: Decimal = ZERO

    @property
    def one_rate(self) -> bool:
        """Every night costs the same and no discount applies: "X a night" says it all."""
        return not self.los_discount and len({night.amount for night in self.nights}) <= 1

    @property
    def average_night(self) -> Decimal:
        return quantize(self.room_subtotal / max(len(self.nights), 1), self.currency)


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
    room_type: RoomType,
    check_in: date,
    check_out: date,
    guests: int,
    policy: PaymentPolicy | None = None,
    rates: RoomTypeRates | None = None,
) -> Quote:
    """The price of a stay now: the sum over its nights of each night's rate (season, weekend
    or base, plus extra persons), less the length-of-stay discount, plus the tourist tax.

    `policy` and `rates` (from `rooms.rates.rates_for`) save queries when quoting many rooms;
    without them this loads them (a few queries)."""
    policy = policy or policy_for(prop)
    rates = rates or stay_rates(room_type, check_in, check_out)
    cur = prop.currency
    nights = tuple(night_price(rates, night, guests) for night in nights_of(check_in, check_out))
    gross = sum((night.amount for night in nights), ZERO)
    discount = stay_discount(rates, len(nights))
    percent = discount.percent if discount is not None else ZERO
    los_discount = percent_of(gross, percent, cur)
    room = quantize(gross, cur) - los_discount
    tax_per_night = policy.tourist_tax_per_person_night * guests
    tax = quantize(tax_per_night * len(nights), cur)
    total = room + tax
    first = nights[0].amount if nights else ZERO
    first_night = quantize(first - first * percent / 100 + tax_per_night, cur)
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
        nights=nights,
        los_discount=los_discount,
        los_discount_percent=percent,
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
