"""Money shown on the pages: the quote before booking, and a booking's charges, payments,
refund preview and receipts after. Reads only; the payments services do the writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from innkeeper.bookings.charges import free_cancellation_deadline
from innkeeper.bookings.models import Booking, BookingCharges
from innkeeper.bookings.rules import check_stay_rules
from innkeeper.core.models import AuditEvent
from innkeeper.core.money import ZERO, quantize
from innkeeper.payments.ledger import extras_total, paid_amount
from innkeeper.payments.models import LedgerEntry, Payment, Receipt
from innkeeper.payments.refunds import RefundPreview, policy_refund_preview
from innkeeper.payments.selectors import refunds_to_handle
from innkeeper.rooms.models import PaymentPolicy, Room
from innkeeper.rooms.pricing import Quote, cancellation_deadline, stay_quote
from innkeeper.rooms.rates import stay_rates


@dataclass(frozen=True)
class StayOffer:
    """The price of one stay as the booking will store it, and its cancellation deadline."""

    quote: Quote
    nights: int
    guests: int
    free_until: datetime


def stay_offer(
    *, room: Room, check_in: date, check_out: date, guests: int, policy: PaymentPolicy | None
) -> StayOffer:
    """The same `stay_quote` the booking service stores in BookingCharges. Raises
    `StayRuleBroken` (as the booking would) for a stay the room type's rules do not sell."""
    rates = stay_rates(room.room_type, check_in, check_out)
    check_stay_rules(rates, check_in, check_out)
    quote = stay_quote(
        prop=room.property,
        room_type=room.room_type,
        check_in=check_in,
        check_out=check_out,
        guests=guests,
        policy=policy,
        rates=rates,
    )
    return offer_of(quote, room=room, check_in=check_in, guests=guests)


def offer_of(quote: Quote, *, room: Room, check_in: date, guests: int) -> StayOffer:
    """An offer from a quote already made (the availability search's): no second pricing."""
    free_until = cancellation_deadline(
        prop=room.property, check_in=check_in, hours=quote.policy.free_cancellation_hours
    )
    return StayOffer(quote=quote, nights=len(quote.nights), guests=guests, free_until=free_until)


@dataclass
class BookingMoney:
    charges: BookingCharges | None
    paid: Decimal = ZERO
    extras: Decimal = ZERO  # posted on the folio during the stay, voided ones left out
    balance_due: Decimal = ZERO
    deposit_outstanding: Decimal = ZERO
    free_until: datetime | None = None
    refund_now: RefundPreview | None = None
    ledger: list[LedgerEntry] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    refunds_due: list[Payment] = field(default_factory=list)  # cash to give back at the desk
    refunds_reversed: list[Payment] = field(default_factory=list)


def booking_money(booking: Booking, *, with_ledger: bool = False) -> BookingMoney:
    """Charges fixed at booking time, what is paid, and what cancelling now would refund.
    Bookings made before payments existed have no charges: the page says so."""
    charges: BookingCharges | None = getattr(booking, "charges", None)
    if charges is None:
        return BookingMoney(charges=None)
    currency = booking.currency
    paid, extras = paid_amount(booking), extras_total(booking)
    money = BookingMoney(
        charges=charges,
        paid=paid,
        extras=extras,
        balance_due=quantize(max(charges.total + extras - paid, ZERO), currency),
        deposit_outstanding=quantize(max(charges.deposit_due - paid, ZERO), currency),
        free_until=free_cancellation_deadline(booking, charges),
        receipts=list(booking.receipts.defer("pdf", "html").order_by("sequence")),
    )
    if booking.is_active:
        money.refund_now = policy_refund_preview(booking, at=timezone.now())
    if with_ledger:
        money.ledger = list(booking.ledger.select_related("actor", "receipt"))
        todo = refunds_to_handle(booking=booking)
        money.refunds_due, money.refunds_reversed = todo.due_at_desk, todo.reversed
    return money


def booking_audit(booking: Booking) -> list[AuditEvent]:
    """Audit rows naming this booking (payments, refunds, desk actions)."""
    return list(
        AuditEvent.objects.filter(target=booking.reference)
        .select_related("actor")
        .order_by("created_at", "id")
    )
