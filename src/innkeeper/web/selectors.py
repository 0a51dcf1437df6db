"""Read models shaped for pages: offers by room type, guest bookings, front-desk lists."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking, BookingEvent
from innkeeper.bookings.models import BookingStatus as S
from innkeeper.bookings.selectors import AvailableRoom, booking_by_reference, booking_not_found
from innkeeper.rooms.models import Property, Room, RoomType, RoomTypePhoto
from innkeeper.rooms.photos import room_type_photos
from innkeeper.web.money import StayOffer, offer_of


@dataclass
class RoomTypeOffer:
    """One room type in the search results: the first free room is the one offered."""

    room_type: RoomType
    room: Room
    rooms_left: int
    offer: StayOffer
    currency: str
    photos: list[RoomTypePhoto] = field(default_factory=list)


def offers_by_room_type(
    available: list[AvailableRoom], *, check_in: date, check_out: date, guests: int
) -> list[RoomTypeOffer]:
    """Priced with taxes exactly as the booking will store them (`rooms.pricing.stay_quote`)."""
    offers: dict[int, RoomTypeOffer] = {}
    for item in available:
        offer = offers.get(item.room.room_type_id)
        if offer is None:
            offers[item.room.room_type_id] = RoomTypeOffer(
                room_type=item.room.room_type,
                room=item.room,
                rooms_left=1,
                # The search's own quote (`stay_quote`, with the stay's rates): one price.
                offer=offer_of(item.quote, room=item.room, check_in=check_in, guests=guests),
                currency=item.room.property.currency,
            )
        else:
            offer.rooms_left += 1
    photos = room_type_photos(room_type_ids=list(offers))
    for type_id, offer in offers.items():
        offer.photos = photos[type_id]
    return list(offers.values())


@dataclass
class RoomTypeCard:
    room_type: RoomType
    photos: list[RoomTypePhoto]


@dataclass
class PropertyPage:
    property: Property
    cards: list[RoomTypeCard]


def property_pages() -> list[PropertyPage]:
    """Every property with its room types and photos, in three queries."""
    properties = list(Property.objects.order_by("name"))
    types = list(RoomType.objects.filter(property__in=properties).order_by("nightly_rate"))
    photos = room_type_photos(room_type_ids=[t.pk for t in types])
    return [
        PropertyPage(
            property=prop,
            cards=[RoomTypeCard(t, photos[t.pk]) for t in types if t.property_id == prop.pk],
        )
        for prop in properties
    ]


def guest_bookings(*, user: User | None, references: Iterable[str]) -> list[Booking]:
    """Bookings of the signed-in guest plus those this browser made or opened by emailed link."""
    query = Q(reference__in=list(references))
    if user is not None and user.is_authenticated:
        query |= Q(guest=user)
    return list(
        Booking.objects.filter(query)
        .select_related("room", "room__room_type", "property", "charges")
        .order_by("-check_in", "id")
    )


def guest_booking_get(*, reference: str, user: User | None, references: Iterable[str]) -> Booking:
    """One booking this visitor may see; others look exactly like missing ones."""
    for booking in guest_bookings(user=user, references=references):
        if booking.reference == reference.upper():
            return booking
    raise booking_not_found(reference)


@dataclass
class DeskDay:
    arrivals: list[Booking]
    departures: list[Booking]
    in_house: list[Booking]


def desk_day(*, prop: Property, today: date) -> DeskDay:
    """Today's arrivals, departures and in-house guests of one property, in one query."""
    bookings = list(
        Booking.objects.filter(property=prop)
        .filter(Q(check_in=today, status__in=[S.PENDING, S.CONFIRMED]) | Q(status=S.CHECKED_IN))
        .select_related("room", "room__room_type")
        .order_by("room__number", "check_in")
    )
    checked_in = [b for b in bookings if b.status == S.CHECKED_IN]
    return DeskDay(
        arrivals=[b for b in bookings if b.status != S.CHECKED_IN],
        departures=[b for b in checked_in if b.check_out <= today],
        in_house=[b for b in checked_in if b.check_out > today],
    )


def desk_booking_get(*, reference: str) -> tuple[Booking, list[BookingEvent]]:
    booking = booking_by_reference(
        reference, related=("room", "room__room_type", "property", "guest", "charges")
    )
    events = list(booking.events.select_related("actor").order_by("created_at", "id"))
    return booking, events
