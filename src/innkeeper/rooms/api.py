from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from innkeeper.accounts.auth import api_user, bearer
from innkeeper.core.errors import Forbidden
from innkeeper.core.schemas import AUTH_ERRORS, COMMON_ERRORS, Id, Problem, Rate, StrictIn
from innkeeper.rooms import selectors, services
from innkeeper.rooms.models import Property, Room, RoomType

router = Router()
STAFF_ERRORS = {**AUTH_ERRORS, 403: Problem, 404: Problem, 409: Problem}


class PropertyOut(Schema):
    id: int
    name: str
    slug: str
    time_zone: str
    currency: str
    check_in_time: str
    check_out_time: str
    address: str
    description: str

    @staticmethod
    def resolve_check_in_time(obj: Property) -> str:
        return obj.check_in_time.strftime("%H:%M")

    @staticmethod
    def resolve_check_out_time(obj: Property) -> str:
        return obj.check_out_time.strftime("%H:%M")


class RoomTypeOut(Schema):
    id: int
    property_id: int
    name: str
    description: str
    capacity: int
    nightly_rate: Decimal


class RoomOut(Schema):
    id: int
    number: str
    name: str
    property_id: int
    room_type: RoomTypeOut
    capacity: int
    nightly_rate: Decimal
    currency: str
    is_active: bool

    @staticmethod
    def resolve_name(obj: Room) -> str:
        return f"{obj.room_type.name} {obj.number}"

    @staticmethod
    def resolve_capacity(obj: Room) -> int:
        return obj.room_type.capacity

    @staticmethod
    def resolve_nightly_rate(obj: Room) -> Decimal:
        return obj.room_type.nightly_rate

    @staticmethod
    def resolve_currency(obj: Room) -> str:
        return obj.property.currency


class RoomTypeIn(StrictIn):
    property_id: Id
    name: str = Field(min_length=1, max_length=120)
    capacity: int = Field(ge=1, le=50)
    nightly_rate: Rate
    description: str = Field(default="", max_length=5000)


class RoomTypePatch(StrictIn):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    capacity: int | None = Field(default=None, ge=1, le=50)
    nightly_rate: Rate | None = None
    description: str | None = Field(default=None, max_length=5000)


class RoomIn(StrictIn):
    room_type_id: Id
    number: str = Field(min_length=1, max_length=20)
    is_active: bool = True


class RoomPatch(StrictIn):
    room_type_id: Id | None = None
    number: str | None = Field(default=None, min_length=1, max_length=20)
    is_active: bool | None = None


def _staff(request: HttpRequest) -> None:
    if not api_user(request).is_staff:
        raise Forbidden("Only staff can change rooms.", code="staff_only")


@router.get("/properties", response={200: list[PropertyOut], **COMMON_ERRORS}, auth=None)
def list_properties(request: HttpRequest) -> object:
    return selectors.property_list()


@router.get("/rooms", response={200: list[RoomOut], **COMMON_ERRORS}, auth=None)
def list_rooms(request: HttpRequest, property_id: Id | None = None) -> object:
    """Rooms open for booking, with their type, capacity and nightly rate."""
    return selectors.room_list(property_id=property_id)


@router.post("/rooms", response={201: RoomOut, **STAFF_ERRORS}, auth=bearer)
def create_room(request: HttpRequest, payload: RoomIn) -> Status[Room]:
    _staff(request)
    room = services.room_create(**payload.model_dump())
    return Status(201, selectors.room_get(room_id=room.pk))


@router.patch("/rooms/{room_id}", response={200: RoomOut, **STAFF_ERRORS}, auth=bearer)
def update_room(request: HttpRequest, room_id: Id, payload: RoomPatch) -> Room:
    _staff(request)
    services.room_update(room_id=room_id, **payload.model_dump(exclude_unset=True))
    return selectors.room_get(room_id=room_id)


@router.get("/room-types", response={200: list[RoomTypeOut], **COMMON_ERRORS}, auth=None)
def list_room_types(request: HttpRequest, property_id: Id | None = None) -> object:
    return selectors.room_type_list(property_id=property_id)


@router.post("/room-types", response={201: RoomTypeOut, **STAFF_ERRORS}, auth=bearer)
def create_room_type(request: HttpRequest, payload: RoomTypeIn) -> Status[RoomType]:
    _staff(request)
    return Status(201, services.room_type_create(**payload.model_dump()))


@router.patch(
    "/room-types/{room_type_id}", response={200: RoomTypeOut, **STAFF_ERRORS}, auth=bearer
)
def update_room_type(request: HttpRequest, room_type_id: Id, payload: RoomTypePatch) -> RoomType:
    _staff(request)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return services.room_type_update(room_type_id=room_type_id, **changes)
