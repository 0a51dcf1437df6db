"""Reads about bookings and free rooms. Each runs a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.postgres.fields import DateRangeField, RangeBoundary
from django.db import connection
from django.db.models import Exists, Func, OuterRef, QuerySet
from psycopg.types.range import Range

from innkeeper.accounts.models import User
from innkeeper.bookings.models import ACTIVE_STATUSES, Booking, RoomBlock
from innkeeper.bookings.rules import validate_stay
from innkeeper.core.errors import NotFound
from innkeeper.rooms.models import Property, Room
from innkeeper.rooms.pricing import Quote, loaded_policy, stay_quote
from innkeeper.rooms.rates import RoomTypeRates, rates_for, stay_breaks

SEARCH_DEFERRED = (
    "created_at",
    "updated_at",
    "room_type__created_at",
    "room_type__updated_at",
    "room_type__description",
    "room_type__rate_plan__created_at",
    "room_type__rate_plan__updated_at",
)


@dataclass(frozen=True)
class AvailableRoom:
    room: Room
    nights: int
    quote: Quote  # the same lines the booking will store (rooms.pricing.stay_quote)

    @property
    def total_price(self) -> Decimal:
        return self.quote.total


class _StayRange(Func):
    """daterange(check_in, check_out, '[)'): the expression the exclusion constraint indexes."""

    function = "daterange"
    output_field = DateRangeField()


def overlapping_active(*, check_in: date, check_out: date) -> QuerySet[Booking]:
    """Active bookings that share at least one night with [check_in, check_out)."""
    active = Booking.objects.filter(status__in=ACTIVE_STATUSES)
    if connection.vendor == "postgresql":
        # Written exactly like the exclusion constraint, so PostgreSQL probes its GiST index
        # instead of scanning the room's bookings by date (2-4x faster; bench/README.md).
        return active.alias(stay=_StayRange("check_in", "check_out", RangeBoundary())).filter(
            stay__overlap=Range(check_in, check_out, "[)")
        )
    return active.filter(check_in__lt=check_out, check_out__gt=check_in)


def overlapping_blocks(*, check_in: date, check_out: date) -> QuerySet[RoomBlock]:
    """Room blocks (imported channel events) that share a night with [check_in, check_out):
    a room with one is as taken as a booked one."""
    return RoomBlock.objects.filter(start__lt=check_out, end__gt=check_in)


def availability_search(
    *, check_in: date, check_out: date, guests: int, property_id: int | None = None
) -> list[AvailableRoom]:
    """Active rooms big enough for the party and free for every night of the stay."""
    # Each property's payment policy comes with it (pricing needs it): no query of its own.
    properties = Property.objects.select_related("payment_policy")
    if property_id is not None:
        properties = properties.filter(pk=property_id)
    props = list(properties)
    if property_id is not None and not props:
        raise NotFound(f"No property with id {property_id}.", code="property_not_found")
    for prop in props:
        validate_stay(prop, check_in, check_out)
    nights = (check_out - check_in).days
    taken = overlapping_active(check_in=check_in, check_out=check_out).filter(room=OuterRef("pk"))
    blocked = overlapping_blocks(check_in=check_in, check_out=check_out).filter(room=OuterRef("pk"))
    rooms = (
        Room.objects.filter(is_active=True, room_type__capacity__gte=guests, property__in=props)
        .filter(~Exists(taken))
        .filter(~Exists(blocked))
        .select_related("room_type", "room_type__rate_plan")
        # Timestamps and descriptions are not what a search shows; parsing them was a
        # fifth of the time for 2,000 rooms. They still load on access.
        .defer(*SEARCH_DEFERRED)
        .order_by("property_id", "room_type__nightly_rate", "number")
    )
    # The properties are loaded above: attach them instead of joining and building one
    # Property per room again (a third of the time for 2,000 rooms; see bench/README.md).
    by_id = {prop.pk: prop for prop in props}
    room_list = list(rooms)
    rates = _sellable_rates(room_list, check_in=check_in, check_out=check_out)
    # Rooms of one type cost the same for one stay: one quote per room type, not per room.
    quotes: dict[int, Quote] = {}
    found: list[AvailableRoom] = []
    for room in room_list:
        type_rates = rates.get(room.room_type_id)
        if type_rates is None:
            continue  # a stay rule (min stay, closed...) keeps this room type off sale
        room.property = by_id[room.property_id]
        quote = quotes.get(room.room_type_id)
        if quote is None:
            quote = quotes[room.room_type_id] = stay_quote(
                prop=room.property,
                room_type=room.room_type,
                check_in=check_in,
                check_out=check_out,
                guests=guests,
                policy=loaded_policy(room.property),
                rates=type_rates,
            )
        found.append(AvailableRoom(room=room, nights=nights, quote=quote))
    return found


def _sellable_rates(
    rooms: list[Room], *, check_in: date, check_out: date
) -> dict[int, RoomTypeRates]:
    """The rates of the room types whose stay rules let this stay be sold (4 queries at most,
    whatever the number of rooms: `rooms.rates.rates_for`)."""
    types = {room.room_type_id: room.room_type for room in rooms}
    rates = rates_for(types.values(), first=check_in, last=check_out)
    return {
        type_id: type_rates
        for type_id, type_rates in rates.items()
        if not stay_breaks(type_rates, check_in, check_out)
    }


def booking_list(
    *,
    user: User,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    property_id: int | None = None,
) -> QuerySet[Booking]:
    """A guest sees their own bookings; staff see all, filtered by stay dates and status."""
    bookings = Booking.objects.select_related("room", "room__room_type", "property")
    if not user.is_staff:
        bookings = bookings.filter(guest=user)
    if status:
        bookings = bookings.filter(status=status)
    if property_id is not None:
        bookings = bookings.filter(property_id=property_id)
    # Dates select stays that touch the window [date_from, date_to).
    if date_from:
        bookings = bookings.filter(check_out__gt=date_from)
    if date_to:
        bookings = bookings.filter(check_in__lt=date_to)
    return bookings.order_by("check_in", "room__number", "id")


def booking_not_found(reference: str) -> NotFound:
    return NotFound(f"No booking {reference}.", code="booking_not_found")


def booking_by_reference(
    reference: str,
    *,
    visible_to: User | None = None,
    related: Iterable[str] = (),
    lock: bool = False,
) -> Booking:
    """The one lookup of a booking by its reference (case and spaces forgiven), or 404
    `booking_not_found`. `visible_to`: a guest sees only their own bookings, and others'
    look exactly like missing ones; staff, and the system or an operator (None), see all.
    `lock`: the booking row is locked (SELECT ... FOR UPDATE) until the transaction ends."""
    query = Booking.objects.select_related(*related)
    if lock:
        query = query.select_for_update(of=("self",))
    booking = query.filter(reference=reference.strip().upper()).first()
    hidden = (
        booking is not None
        and visible_to is not None
        and not visible_to.is_staff
        and booking.guest_id != visible_to.pk
    )
    if booking is None or hidden:
        raise booking_not_found(reference)
    return booking


def booking_get(*, reference: str, user: User | None) -> Booking:
    """A booking the signed-in user may see (an anonymous caller sees none)."""
    if user is None:
        raise booking_not_found(reference)
    return booking_by_reference(
        reference, visible_to=user, related=("room", "room__room_type", "property", "guest")
    )


def overlap_report(*, using: str = "default") -> list[tuple[Booking, Booking]]:
    """Pairs of active bookings of one room that overlap: should always be empty.

    `using` lets the restore drill run the same scan on a scratch copy of a backup."""
    first = Booking.objects.using(using).filter(status__in=ACTIVE_STATUSES)
    clashes = first.filter(
        Exists(
            Booking.objects.using(using).filter(
                room=OuterRef("room"),
                status__in=ACTIVE_STATUSES,
                check_in__lt=OuterRef("check_out"),
                check_out__gt=OuterRef("check_in"),
                pk__gt=OuterRef("pk"),
            )
        )
    ).select_related("room")
    pairs: list[tuple[Booking, Booking]] = []
    for booking in clashes:
        others = overlapping_active(check_in=booking.check_in, check_out=booking.check_out).filter(
            room_id=booking.room_id, pk__gt=booking.pk
        )
        pairs.extend((booking, other) for other in others.using(using))
    return pairs
