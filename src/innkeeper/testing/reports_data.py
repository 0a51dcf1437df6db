"""A small hand-computed hotel for the report tests. Every expected figure below is worked
out by hand in the comments, from the rows this module writes, and nowhere from the code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal as D
from itertools import count

from django.utils import timezone

from innkeeper.bookings.models import Booking, BookingCharges
from innkeeper.bookings.rules import property_today
from innkeeper.payments.models import EntryKind, LedgerEntry, Payment
from innkeeper.rooms.models import Property, Room, RoomType

_references = count(1)


@dataclass
class Hotel:
    prop: Property
    start: date  # T - 2
    end: date  # T + 2: four nights, T-2 .. T+1
    bookings: dict[str, Booking]


def _booking(
    prop: Property, room: Room, status: str, days: tuple[date, date], money: tuple[str, str]
) -> Booking:
    check_in, check_out = days
    nights = (check_out - check_in).days
    booking = Booking.objects.create(
        reference=f"IK-R{next(_references):05d}",
        property=prop,
        room=room,
        guest_name="Report Guest",
        guest_email="report@example.com",
        guests=1,
        check_in=check_in,
        check_out=check_out,
        nights=nights,
        total_price=D(money[0]) + D(money[1]),
        currency=prop.currency,
        status=status,
        cancelled_at=timezone.now() if status == "cancelled" else None,
    )
    BookingCharges.objects.create(
        booking=booking,
        currency=prop.currency,
        room_subtotal=D(money[0]),
        tourist_tax=D(money[1]),
        vat_percent=D(0),
        vat_amount=D(0),
        total=D(money[0]) + D(money[1]),
        first_night=D(0),
        deposit_due=D(0),
        free_cancellation_hours=48,
        late_cancel_kind="first_night",
        late_cancel_percent=D(0),
    )
    return booking


def _money(
    booking: Booking,
    kind: str,
    amount: str,
    method: str,
    refund_of: Payment | None = None,
    provider: str = "pay_at_property",
) -> Payment:
    payment = Payment.objects.create(
        booking=booking,
        provider=provider,
        purpose="refund" if kind == EntryKind.REFUNDED else "balance",
        method=method,
        amount=D(amount),
        currency=booking.currency,
        status="succeeded" if kind != EntryKind.FAILED else "failed",
        refund_of=refund_of,
    )
    sign = {EntryKind.REFUNDED: -1, EntryKind.FAILED: 0}.get(EntryKind(kind), 1)
    LedgerEntry.objects.create(
        booking=booking,
        payment=payment,
        kind=kind,
        amount=D(amount),
        settled=D(amount) * sign,
        currency=booking.currency,
        provider=provider,
    )
    return payment


def build_neighbour() -> None:
    """Another property with a stay and a payment in the same nights: none of it may count."""
    prop = Property.objects.create(name="Next Door", slug="next-door", currency="EUR")
    kind = RoomType.objects.create(property=prop, name="Double", capacity=2, nightly_rate=90)
    room = Room.objects.create(property=prop, room_type=kind, number="1")
    t = property_today(prop)
    stay = _booking(prop, room, "checked_in", (t, t + timedelta(days=1)), ("90.00", "2.00"))
    _money(stay, EntryKind.RECORDED_AT_DESK, "92.00", "cash")


def build_hotel(single_name: str = "Single") -> Hotel:
    """Rooms: Double 101, 102 (active) and 103 (inactive); Single 201. Range [T-2, T+2)."""
    prop = Property.objects.create(
        name="Riad Report", slug="riad-report", time_zone="Africa/Casablanca", currency="EUR"
    )
    double = RoomType.objects.create(property=prop, name="Double", capacity=2, nightly_rate=100)
    single = RoomType.objects.create(property=prop, name=single_name, capacity=1, nightly_rate=80)
    r101, r102 = (Room.objects.create(property=prop, room_type=double, number=n) for n in "12")
    r103 = Room.objects.create(property=prop, room_type=double, number="3", is_active=False)
    r201 = Room.objects.create(property=prop, room_type=single, number="201")
    t = property_today(prop)

    def day(offset: int) -> date:
        return t + timedelta(days=offset)

    b = {
        # A: 2 nights T-3..T-1, 199.99 room, 10.00 tax; one night (T-2) inside the range.
        "A": _booking(prop, r101, "checked_out", (day(-3), day(-1)), ("199.99", "10.00")),
        # B: 3 nights T-1..T+2, all inside.
        "B": _booking(prop, r102, "checked_in", (day(-1), day(2)), ("300.00", "7.50")),
        # C: 1 night T in the single.
        "C": _booking(prop, r201, "confirmed", (day(0), day(1)), ("80.00", "2.50")),
        # D: cancelled today; E: no-show on T-1; G: pending. None occupies a room.
        "D": _booking(prop, r101, "cancelled", (day(0), day(2)), ("200.00", "5.00")),
        "E": _booking(prop, r101, "no_show", (day(-1), day(0)), ("100.00", "2.50")),
        "G": _booking(prop, r201, "pending", (day(1), day(2)), ("80.00", "2.50")),
        # F: in the inactive room 103: out of occupancy, but its tax and movements count.
        "F": _booking(prop, r103, "confirmed", (day(-2), day(0)), ("200.00", "5.00")),
    }
    cash = _money(b["B"], EntryKind.RECORDED_AT_DESK, "200.00", "cash")
    _money(b["B"], EntryKind.REFUNDED, "50.00", "cash", refund_of=cash)
    _money(b["C"], EntryKind.RECORDED_AT_DESK, "80.00", "card")
    _money(b["A"], EntryKind.CAPTURED, "199.99", "", provider="stripe")
    _money(b["A"], EntryKind.FAILED, "30.00", "", provider="stripe")
    return Hotel(prop=prop, start=day(-2), end=day(2), bookings=b)


# Worked by hand from the rows above (active rooms: 101, 102, 201 -> 3 x 4 = 12 room-nights):
# nights T-2: A              -> 1/3, revenue 199.99/2 = 99.995 -> 100.00
#        T-1: B              -> 1/3, 100.00
#        T  : B, C           -> 2/3, 180.00
#        T+1: B              -> 1/3, 100.00
NIGHTS = [
    (1, 3, "33.33", "100.00"),
    (1, 3, "33.33", "100.00"),
    (2, 3, "66.67", "180.00"),
    (1, 3, "33.33", "100.00"),
]
# Double: 2 active rooms x 4 = 8, occupied A(1)+B(3) = 4, revenue 99.995+300 = 399.995
# Single: 1 room x 4 = 4, occupied C(1), revenue 80
ROOM_TYPES = {"Double": (4, 8, "50.00", "400.00"), "Single": (1, 4, "25.00", "80.00")}
TOTAL = (5, 12, "41.67", "480.00")  # 479.995 rounded once, half up
ADR = "96.00"  # 479.995 / 5 = 95.999
REVPAR = "40.00"  # 479.995 / 12 = 39.9996
TOURIST_TAX = "20.00"  # A 10/2 + B 7.50 + C 2.50 + F 5.00
PAYMENTS = {"card": "80.00", "cash": "150.00", "stripe": "199.99"}  # cash 200 - refund 50
NET = "429.99"
ARRIVALS = 3  # B (T-1), C (T), F (T-2)
DEPARTURES = 3  # A (T-1), F (T), C (T+1); B leaves on T+2, the excluded end
NO_SHOWS = 1
CANCELLATIONS = 1
