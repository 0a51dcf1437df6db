"""Staff writes to rooms and room types."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from innkeeper.core.errors import Conflict, InvalidInput, NotFound
from innkeeper.rooms.models import Property, Room, RoomType


def _save(obj: Room | RoomType | Property, *, duplicate: str) -> None:
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise InvalidInput(" ".join(messages), extra={"field": field}) from error
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as error:
        raise Conflict(duplicate, code="duplicate") from error


def property_create(*, name: str, slug: str, **fields: Any) -> Property:
    prop = Property(name=name, slug=slug, **fields)
    _save(prop, duplicate=f"A property with slug {slug!r} exists.")
    return prop


def room_type_create(
    *, property_id: int, name: str, capacity: int, nightly_rate: Decimal, description: str = ""
) -> RoomType:
    prop = Property.objects.filter(pk=property_id).first()
    if prop is None:
        raise NotFound(f"No property with id {property_id}.", code="property_not_found")
    room_type = RoomType(
        property=prop,
        name=name,
        capacity=capacity,
        nightly_rate=nightly_rate,
        description=description,
    )
    _save(room_type, duplicate=f"{prop.name} already has a room type named {name!r}.")
    return room_type


def room_type_update(*, room_type_id: int, **changes: Any) -> RoomType:
    room_type = RoomType.objects.filter(pk=room_type_id).select_related("property").first()
    if room_type is None:
        raise NotFound(f"No room type with id {room_type_id}.", code="room_type_not_found")
    for field, value in changes.items():
        setattr(room_type, field, value)
    _save(room_type, duplicate=f"A room type named {room_type.name!r} exists.")
    return room_type


def room_create(*, room_type_id: int, number: str, is_active: bool = True) -> Room:
    room_type = RoomType.objects.filter(pk=room_type_id).select_related("property").first()
    if room_type is None:
        raise NotFound(f"No room type with id {room_type_id}.", code="room_type_not_found")
    room = Room(
        property=room_type.property, room_type=room_type, number=number, is_active=is_active
    )
    _save(room, duplicate=f"Room {number} exists already.")
    return room


def room_update(
    *,
    room_id: int,
    number: str | None = None,
    room_type_id: int | None = None,
    is_active: bool | None = None,
) -> Room:
    room = Room.objects.filter(pk=room_id).select_related("room_type", "property").first()
    if room is None:
        raise NotFound(f"No room with id {room_id}.", code="room_not_found")
    if room_type_id is not None:
        room_type = RoomType.objects.filter(pk=room_type_id, property=room.property).first()
        if room_type is None:
            raise InvalidInput(
                "That room type does not exist at this property.",
                code="room_type_not_found",
                extra={"field": "room_type_id"},
            )
        room.room_type = room_type
    if number is not None:
        room.number = number
    if is_active is not None:
        room.is_active = is_active
    _save(room, duplicate=f"Room {room.number} exists already.")
    return room
