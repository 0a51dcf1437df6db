from __future__ import annotations

from django.db.models import QuerySet

from innkeeper.core.errors import NotFound
from innkeeper.rooms.models import Property, Room, RoomType


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
