"""What a booking change may do, who may make it, and its new price (`bookings.changes`
writes it). Kept apart so the write stays short and the rules read in one place.

Policy (README "Changing a booking"):
- pending and confirmed bookings: dates, room, room type and number of guests;
- a guest changes their own booking only until its free-cancellation deadline (the same
  moment after which cancelling costs a fee); afterwards only staff can;
- checked-in bookings: staff only, and only the room (or room type) for the nights left;
  the nights already slept keep the old room's price. `keep_price` (staff) moves the guest
  at no charge (the hotel's reason: a broken shower, an upgrade).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.utils import timezone

from innkeeper.accounts.models import User
from innkeeper.bookings.charges import free_cancellation_deadline
from innkeeper.bookings.models import Booking, BookingCharges
from innkeeper.bookings.models import BookingStatus as S
from innkeeper.bookings.rules import property_today, validate_stay
from innkeeper.bookings.selectors import overlapping_active
from innkeeper.core.errors import (
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFound,
    RoomUnavailable,
)
from innkeeper.rooms.models import Room
from innkeeper.rooms.pricing import Quote, loaded_policy, stay_quote

CHANGEABLE = (S.PENDING, S.CONFIRMED, S.CHECKED_IN)


@dataclass(frozen=True)
class ChangeRequest:
    """What the caller asks for; None keeps the booking's value."""

    check_in: date | None = None
    check_out: date | None = None
    room_id: int | None = None
    room_number: str | None = None
    room_type_id: int | None = None
    guests: int | None = None
    keep_price: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Lines:
    """One side of a change: the stay and its price lines (`BookingCharges`' columns)."""

    room_id: int
    room_number: str
    room_type: str
    check_in: date
    check_out: date
    guests: int
    room_subtotal: Decimal
    tourist_tax: Decimal
    vat_percent: Decimal
    vat_amount: Decimal
    total: Decimal
    first_night: Decimal
    deposit_due: Decimal

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    def stay_changes(self, other: Lines) -> dict[str, list[str]]:
        """Field -> [old, new] for what differs in the stay (not the price)."""
        fields = ("room_number", "room_type", "check_in", "check_out", "guests")
        return {
            name: [str(getattr(self, name)), str(getattr(other, name))]
            for name in fields
            if getattr(self, name) != getattr(other, name)
        }


def price_stay(room: Room, check_in: date, check_out: date, guests: int) -> Quote:
    """The one call to the pricing function for changes (if its signature changes, fix here)."""
    return stay_quote(
        prop=room.property,
        room_type=room.room_type,
        check_in=check_in,
        check_out=check_out,
        guests=guests,
        policy=loaded_policy(room.property),
    )


def current_lines(booking: Booking, charges: BookingCharges) -> Lines:
    room = booking.room
    return Lines(
        room_id=room.pk,
        room_number=room.number,
        room_type=room.room_type.name,
        check_in=booking.check_in,
        check_out=booking.check_out,
        guests=booking.guests,
        room_subtotal=charges.room_subtotal,
        tourist_tax=charges.tourist_tax,
        vat_percent=charges.vat_percent,
        vat_amount=charges.vat_amount,
        total=charges.total,
        first_night=charges.first_night,
        deposit_due=charges.deposit_due,
    )


def quoted_lines(room: Room, check_in: date, check_out: date, guests: int, q: Quote) -> Lines:
    return Lines(
        room_id=room.pk,
        room_number=room.number,
        room_type=room.room_type.name,
        check_in=check_in,
        check_out=check_out,
        guests=guests,
        room_subtotal=q.room_subtotal,
        tourist_tax=q.tourist_tax,
        vat_percent=q.vat_percent,
        vat_amount=q.vat_amount,
        total=q.total,
        first_night=q.first_night,
        deposit_due=q.deposit_due,
    )


def check_may_change(
    booking: Booking, actor: User | None, req: ChangeRequest, *, guest: bool
) -> None:
    """`guest`: the caller is the booking's guest (own account or emailed link)."""
    if req.guests is not None and req.guests < 1:
        raise InvalidInput("A booking is for at least one guest.", extra={"field": "guests"})
    if booking.status not in CHANGEABLE:
        raise InvalidTransition(
            f"Booking {booking.reference} is {booking.get_status_display().lower()}; "
            "it can no longer be changed.",
            code="booking_not_changeable",
            extra={"booking_status": booking.status},
        )
    if guest and (booking.status == S.CHECKED_IN or req.keep_price):
        raise Forbidden(
            "Only front-desk staff can move a checked-in guest or waive a price change.",
            code="staff_only",
        )
    if booking.status == S.CHECKED_IN and (req.check_in or req.check_out or req.guests is not None):
        raise InvalidInput(
            "A checked-in stay can only move to another room; change its dates at check-out.",
            code="checked_in_room_only",
        )
    if guest:
        deadline = free_cancellation_deadline(booking, booking.charges)
        if timezone.now() >= deadline:
            raise InvalidTransition(
                f"Changes online were possible until {deadline:%Y-%m-%d %H:%M} "
                f"({booking.property.name} time); please contact the property.",
                code="change_window_closed",
                extra={"deadline": deadline.isoformat()},
            )


def resolve_room(booking: Booking, req: ChangeRequest) -> int | None:
    """The room id asked for (by id or by number in the booking's property), checked."""
    if req.room_id is None and not req.room_number:
        return None
    rooms = Room.objects.select_related("room_type")
    if req.room_id is not None:
        room = rooms.filter(pk=req.room_id).first()
    else:
        room = rooms.filter(property_id=booking.property_id, number=req.room_number).first()
    if room is None:
        raise NotFound(f"No room {req.room_id or req.room_number}.", code="room_not_found")
    if room.property_id != booking.property_id:
        raise InvalidInput(
            f"Room {room.number} belongs to another property.",
            code="room_not_in_property",
            extra={"field": "room_id"},
        )
    if req.room_type_id is not None and room.room_type_id != req.room_type_id:
        raise InvalidInput(
            f"Room {room.number} is not of the room type asked for.",
            code="room_type_mismatch",
            extra={"field": "room_type_id"},
        )
    return int(room.pk)


def free_room_of_type(
    booking: Booking, room_type_id: int, check_in: date, check_out: date, guests: int
) -> int:
    """The first free active room of the type (by number); the caller locks and re-checks."""
    rooms = Room.objects.filter(property_id=booking.property_id, room_type_id=room_type_id)
    kind = rooms.select_related("room_type").first()
    if kind is None:
        raise NotFound(f"No room type {room_type_id} here.", code="room_type_not_found")
    if guests > kind.room_type.capacity:
        raise InvalidInput(
            f"{kind.room_type.name} sleeps at most {kind.room_type.capacity}.",
            code="too_many_guests",
            extra={"field": "guests"},
        )
    if booking.room.room_type_id == room_type_id:
        return int(booking.room_id)  # already of that type: stay put
    taken = (
        overlapping_active(check_in=check_in, check_out=check_out)
        .exclude(pk=booking.pk)
        .values("room_id")
    )
    free = (
        rooms.filter(is_active=True, room_type__capacity__gte=guests)
        .exclude(pk__in=taken)
        .order_by("number")
        .values_list("pk", flat=True)
        .first()
    )
    if free is None:
        raise RoomUnavailable("No room of that type is free for these nights.")
    return int(free)


def check_target(
    booking: Booking, room: Room, check_in: date, check_out: date, guests: int
) -> None:
    """Dates, capacity; a checked-in stay needs nights left to move."""
    if booking.status == S.CHECKED_IN:
        if property_today(booking.property) >= booking.check_out:
            raise InvalidTransition(
                "No nights are left to move: check the guest out instead.",
                code="outside_stay_dates",
            )
    elif (check_in, check_out) != (booking.check_in, booking.check_out):
        validate_stay(booking.property, check_in, check_out)
    if not room.is_active:
        raise RoomUnavailable(f"Room {room.number} is not open for booking.")
    if guests > room.room_type.capacity:
        raise InvalidInput(
            f"Room {room.number} sleeps at most {room.room_type.capacity}.",
            code="too_many_guests",
            extra={"field": "guests"},
        )


def new_lines(
    booking: Booking,
    old: Lines,
    room: Room,
    check_in: date,
    check_out: date,
    guests: int,
    *,
    keep_price: bool,
) -> Lines:
    """The changed stay's price. A checked-in move: nights slept at the old room's price,
    the nights left at the new room's; `keep_price`: the old lines, the new room."""
    quote = price_stay(room, check_in, check_out, guests)
    fresh = quoted_lines(room, check_in, check_out, guests, quote)
    today = property_today(booking.property)
    if not keep_price and (booking.status != S.CHECKED_IN or today <= check_in):
        return fresh
    if keep_price:
        prices = old
    else:
        slept = price_stay(booking.room, check_in, today, guests)
        left = price_stay(room, today, check_out, guests)
        prices = replace(
            old,
            room_subtotal=slept.room_subtotal + left.room_subtotal,
            tourist_tax=slept.tourist_tax + left.tourist_tax,
            vat_percent=left.vat_percent,
            vat_amount=slept.vat_amount + left.vat_amount,
            total=slept.total + left.total,
        )
    # The new stay with the prices worked out above.
    return replace(
        fresh,
        room_subtotal=prices.room_subtotal,
        tourist_tax=prices.tourist_tax,
        vat_percent=prices.vat_percent,
        vat_amount=prices.vat_amount,
        total=prices.total,
        first_night=prices.first_night,
        deposit_due=prices.deposit_due,
    )
