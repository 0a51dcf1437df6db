"""Why one room (or each room of one room type) is or is not offered for a stay.

The same rules as `availability_search`, room by room, with stable reason codes: the stay
rules' (`rooms.rates.RuleCode`) and the room's own (`RoomReason`). A constant number of queries
whatever the number of rooms."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from innkeeper.bookings.rules import validate_stay
from innkeeper.bookings.selectors import overlapping_active
from innkeeper.core.errors import InvalidInput, NotFound
from innkeeper.rooms.models import Room
from innkeeper.rooms.pricing import Quote, policy_for, stay_quote
from innkeeper.rooms.rates import rates_for, stay_breaks


class RoomReason(StrEnum):
    """Reasons of the room itself (the stay rules' codes are `rooms.rates.RuleCode`)."""

    OCCUPIED = "occupied"
    TOO_MANY_GUESTS = "too_many_guests"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str


@dataclass
class RoomVerdict:
    room: Room
    reasons: list[Reason] = field(default_factory=list)
    quote: Quote | None = None  # the price when offered (what the booking would store)

    @property
    def available(self) -> bool:
        return not self.reasons


def _rooms(room_id: int | None, room_type_id: int | None) -> list[Room]:
    if (room_id is None) == (room_type_id is None):
        raise InvalidInput(
            "Ask about one room (room_id) or one room type (room_type_id).",
            extra={"field": "room_id"},
        )
    rooms = Room.objects.select_related("room_type", "property", "property__payment_policy")
    if room_id is not None:
        found = list(rooms.filter(pk=room_id))
        if not found:
            raise NotFound(f"No room with id {room_id}.", code="room_not_found")
        return found
    found = list(rooms.filter(room_type_id=room_type_id).order_by("number"))
    if not found:
        raise NotFound(f"No rooms of room type {room_type_id}.", code="room_type_not_found")
    return found


def availability_check(
    *,
    check_in: date,
    check_out: date,
    guests: int,
    room_id: int | None = None,
    room_type_id: int | None = None,
) -> list[RoomVerdict]:
    """One verdict per room: offered (with its quote) or every reason it is not."""
    rooms = _rooms(room_id, room_type_id)
    prop = rooms[0].property
    validate_stay(prop, check_in, check_out)
    taken = set(
        overlapping_active(check_in=check_in, check_out=check_out)
        .filter(room__in=rooms)
        .values_list("room_id", flat=True)
    )
    types = {room.room_type_id: room.room_type for room in rooms}
    rates = rates_for(types.values(), first=check_in, last=check_out)
    policy = policy_for(prop)
    verdicts = []
    for room in rooms:
        verdict = RoomVerdict(room=room)
        if not room.is_active:
            verdict.reasons.append(Reason(RoomReason.INACTIVE, "The room is not open for booking."))
        if guests > room.room_type.capacity:
            verdict.reasons.append(
                Reason(RoomReason.TOO_MANY_GUESTS, f"Sleeps at most {room.room_type.capacity}.")
            )
        if room.pk in taken:
            verdict.reasons.append(Reason(RoomReason.OCCUPIED, "Booked for some of these nights."))
        type_rates = rates[room.room_type_id]
        verdict.reasons += [
            Reason(b.code.value, b.detail) for b in stay_breaks(type_rates, check_in, check_out)
        ]
        if verdict.available:
            verdict.quote = stay_quote(
                prop=prop,
                room_type=room.room_type,
                check_in=check_in,
                check_out=check_out,
                guests=guests,
                policy=policy,
                rates=type_rates,
            )
        verdicts.append(verdict)
    return verdicts
