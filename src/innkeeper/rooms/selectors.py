from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from innkeeper.core.errors import NotFound
from innkeeper.rooms.models import (
    Property,
    RatePlan,
    RateSeason,
    Room,
    RoomType,
    StayDiscount,
    StayRule,
)


def property_list() -> QuerySet[Property]:
    return Property.objects.order_by("name")


def room_list(*, property_id: int | None = None, include_inactive: bool = False) -> QuerySet[Room]:
    rooms = Room.objects.select_related("room_type", "property")
    if not include_inactive:
        rooms = rooms.filter(is_active=True)
    if property_id is not None:
        rooms = rooms.filter(property_id=property_id)
    return rooms.order_by("property_id", "number")


def room_get(*, room_id: int) -> Room:
    room = Room.objects.select_related("room_type", "property").filter(pk=room_id).first()
    if room is None:
        raise NotFound(f"No room with id {room_id}.", code="room_not_found")
    return room


def room_type_list(*, property_id: int | None = None) -> QuerySet[RoomType]:
    types = RoomType.objects.all()
    if property_id is not None:
        types = types.filter(property_id=property_id)
    return types.order_by("property_id", "nightly_rate", "name")


@dataclass
class RoomTypeRateSheet:
    """Everything that prices and restricts one room type: its plan, seasons, discounts, rules."""

    room_type: RoomType
    plan: RatePlan | None
    seasons: list[RateSeason]
    discounts: list[StayDiscount]
    rules: list[StayRule]


def room_type_rate_sheet(*, room_type_id: int, since: date | None = None) -> RoomTypeRateSheet:
    """Seasons and rules ending on or after `since` (all when None), in date order."""
    room_type = (
        RoomType.objects.select_related("property", "rate_plan").filter(pk=room_type_id).first()
    )
    if room_type is None:
        raise NotFound(f"No room type with id {room_type_id}.", code="room_type_not_found")
    seasons = RateSeason.objects.filter(room_type=room_type)
    rules = StayRule.objects.filter(room_type=room_type)
    if since is not None:
        seasons = seasons.filter(last_night__gte=since)
        rules = rules.filter(last_date__gte=since)
    return RoomTypeRateSheet(
        room_type=room_type,
        plan=getattr(room_type, "rate_plan", None),
        seasons=list(seasons.order_by("first_night")),
        discounts=list(StayDiscount.objects.filter(room_type=room_type).order_by("min_nights")),
        rules=list(rules.order_by("first_date", "id")),
    )
