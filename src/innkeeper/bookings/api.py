from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router, Schema
from pydantic import BaseModel, Field

from innkeeper.accounts.auth import api_user, bearer
from innkeeper.bookings import selectors, services
from innkeeper.bookings.availability_check import availability_check as check_rooms
from innkeeper.bookings.models import Booking, BookingStatus
from innkeeper.core.idempotency import idempotent
from innkeeper.core.schemas import (
    AUTH_ERRORS,
    COMMON_ERRORS,
    GUEST_EMAIL_PATTERN,
    MAX_INT64,
    Code,
    Id,
    IsoDate,
    Problem,
    StrictIn,
)
from innkeeper.flows.cancel_then_refund import booking_cancel_then_refund
from innkeeper.flows.settle_then_check_out import booking_check_out_settled
from innkeeper.ops.ratelimit.services import limit_booking_change, limit_booking_create
from innkeeper.rooms.rates import NightPrice

router = Router()
BOOKING_ERRORS = {**AUTH_ERRORS, 403: Problem, 404: Problem, 409: Problem}


class NightRateOut(Schema):
    night: date
    rate: Decimal
    extra_persons: Decimal
    source: str = Field(description="base, weekend, season or season_weekend")
    season: str


class AvailableRoomOut(BaseModel):
    """A plain pydantic model, not a ninja Schema: a search may return hundreds of rooms and
    Schema's per-object attribute wrapper cost more than the query (bench/README.md)."""

    room_id: int
    number: str
    property_id: int
    room_type_id: int
    room_type: str
    capacity: int
    nightly_rate: Decimal
    nights: int
    los_discount: Decimal
    room_subtotal: Decimal
    vat_percent: Decimal
    vat_amount: Decimal
    tourist_tax: Decimal
    total_price: Decimal
    deposit_due: Decimal
    currency: str


class AvailabilityOut(Schema):
    check_in: date
    check_out: date
    guests: int
    nights: int
    rooms: list[AvailableRoomOut]


class AvailabilityQuery(Schema):
    check_in: IsoDate
    check_out: IsoDate
    guests: int = Field(default=1, ge=1, le=50)
    property_id: Id | None = None


class AvailabilityCheckQuery(AvailabilityQuery):
    """Ask about exactly one of: one room, or every room of one room type."""

    room_id: Id | None = None
    room_type_id: Id | None = None


class ReasonOut(Schema):
    code: str = Field(
        description="occupied, too_many_guests, inactive, min_stay, max_stay, "
        "closed_to_arrival, closed_to_departure, closed"
    )
    detail: str


class RoomCheckOut(Schema):
    room_id: int
    number: str
    room_type_id: int
    room_type: str
    available: bool
    reasons: list[ReasonOut]
    total_price: Decimal | None
    room_subtotal: Decimal | None
    los_discount: Decimal | None
    night_rates: list[NightRateOut] = Field(
        description="When offered: each night's rate and where it came from (season, weekend...)"
    )
    currency: str


class AvailabilityCheckOut(Schema):
    check_in: date
    check_out: date
    guests: int
    nights: int
    available: bool
    rooms: list[RoomCheckOut]


class BookingIn(StrictIn):
    room_id: Id
    check_in: IsoDate
    check_out: IsoDate
    guests: int = Field(ge=1, le=50)
    guest_name: str = Field(default="", max_length=200)
    guest_email: str = Field(default="", max_length=254, pattern=GUEST_EMAIL_PATTERN)
    guest_phone: str = Field(default="", max_length=40)
    notes: str = Field(default="", max_length=2000)


class CancelIn(StrictIn):
    reason: str = Field(default="", max_length=300)


class CheckOutIn(StrictIn):
    invoice_later: bool = False
    reason: str = Field(default="", max_length=300)


class BookingOut(Schema):
    reference: str
    status: BookingStatus
    property_id: int
    room_id: int
    room_number: str
    room_type: str
    guest_name: str
    guest_email: str
    guests: int
    check_in: date
    check_out: date
    nights: int
    total_price: Decimal
    currency: str
    created_at: datetime
    expires_at: datetime | None
    confirmed_at: datetime | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    cancelled_at: datetime | None

    @staticmethod
    def resolve_room_number(obj: Booking) -> str:
        return obj.room.number

    @staticmethod
    def resolve_room_type(obj: Booking) -> str:
        return obj.room.room_type.name


class BookingPage(Schema):
    count: int
    items: list[BookingOut]


class BookingFilters(Schema):
    status: BookingStatus | None = None
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    property_id: Id | None = None
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=MAX_INT64 - 500)


@router.get(
    "/availability", response={200: AvailabilityOut, 404: Problem, **COMMON_ERRORS}, auth=None
)
def availability(request: HttpRequest, query: Query[AvailabilityQuery]) -> dict[str, Any]:
    """Free rooms for [check_in, check_out) that sleep `guests`, with the price of the stay."""
    found = selectors.availability_search(
        check_in=query.check_in,
        check_out=query.check_out,
        guests=query.guests,
        property_id=query.property_id,
    )
    rooms = [
        {
            "room_id": item.room.pk,
            "number": item.room.number,
            "property_id": item.room.property_id,
            "room_type_id": item.room.room_type_id,
            "room_type": item.room.room_type.name,
            "capacity": item.room.room_type.capacity,
            "nightly_rate": item.room.room_type.nightly_rate,
            "nights": item.nights,
            # Each night's rate is in /availability/check (kept out of this list for speed).
            "los_discount": item.quote.los_discount,
            # The lines the booking stores in its charges (one pricing function, rooms.pricing).
            "room_subtotal": item.quote.room_subtotal,
            "vat_percent": item.quote.vat_percent,
            "vat_amount": item.quote.vat_amount,
            "tourist_tax": item.quote.tourist_tax,
            "total_price": item.quote.total,
            "deposit_due": item.quote.deposit_due,
            "currency": item.quote.currency,
        }
        for item in found
    ]
    # A dict, validated once against AvailabilityOut on the way out (not built twice).
    return {
        "check_in": query.check_in,
        "check_out": query.check_out,
        "guests": query.guests,
        "nights": (query.check_out - query.check_in).days,
        "rooms": rooms,
    }


def _night(night: NightPrice) -> dict[str, Any]:
    return {
        "night": night.night,
        "rate": night.rate,
        "extra_persons": night.extra,
        "source": night.source,
        "season": night.season,
    }


@router.get(
    "/availability/check",
    response={200: AvailabilityCheckOut, 404: Problem, **COMMON_ERRORS},
    auth=None,
)
def availability_check(
    request: HttpRequest, query: Query[AvailabilityCheckQuery]
) -> dict[str, Any]:
    """Whether one room (`room_id`) or each room of a room type (`room_type_id`) is offered
    for the stay, and if not, why: stable `reasons[].code`s (`occupied`, `min_stay`,
    `closed_to_arrival`, ...), the same codes a refused booking's 422 carries."""
    verdicts = check_rooms(
        check_in=query.check_in,
        check_out=query.check_out,
        guests=query.guests,
        room_id=query.room_id,
        room_type_id=query.room_type_id,
    )
    rooms = [
        {
            "room_id": v.room.pk,
            "number": v.room.number,
            "room_type_id": v.room.room_type_id,
            "room_type": v.room.room_type.name,
            "available": v.available,
            "reasons": [{"code": r.code, "detail": r.detail} for r in v.reasons],
            "total_price": v.quote.total if v.quote else None,
            "room_subtotal": v.quote.room_subtotal if v.quote else None,
            "los_discount": v.quote.los_discount if v.quote else None,
            "night_rates": [_night(n) for n in v.quote.nights] if v.quote else [],
            "currency": v.room.property.currency,
        }
        for v in verdicts
    ]
    return {
        "check_in": query.check_in,
        "check_out": query.check_out,
        "guests": query.guests,
        "nights": (query.check_out - query.check_in).days,
        "available": any(v.available for v in verdicts),
        "rooms": rooms,
    }


def _booking_json(booking: Booking) -> dict[str, Any]:
    return BookingOut.from_orm(booking).model_dump(mode="json")


@router.post("/bookings", response={201: BookingOut, **BOOKING_ERRORS}, auth=bearer)
def create_booking(request: HttpRequest, payload: BookingIn) -> JsonResponse:
    """Book a room. 409 `room_unavailable` when any night is taken; 422 with the stay rule's
    code (`min_stay`, `max_stay`, `closed_to_arrival`, `closed_to_departure`, `closed`) and
    `reasons` when the room type's stay rules do not sell the stay. Send an Idempotency-Key
    header to make retries safe: the same key and body replay the first response."""
    user = api_user(request)
    limit_booking_create(request, user)

    def work() -> tuple[int, dict[str, Any]]:
        booking = services.booking_create(
            created_by=user, guest=None if user.is_staff else user, **payload.model_dump()
        )
        return 201, _booking_json(booking)

    status, body = idempotent(
        scope=f"booking_create:user:{user.pk}",
        key=request.headers.get("Idempotency-Key"),
        payload=payload.model_dump(mode="json"),
        work=work,
    )
    # Already serialized (and possibly replayed from storage): send it as it is.
    return JsonResponse(body, status=status)


@router.get("/bookings", response={200: BookingPage, **AUTH_ERRORS}, auth=bearer)
def list_bookings(request: HttpRequest, filters: Query[BookingFilters]) -> dict[str, Any]:
    """Your bookings; staff see every booking and may filter by stay dates and status."""
    bookings = selectors.booking_list(
        user=api_user(request),
        status=filters.status,
        date_from=filters.date_from,
        date_to=filters.date_to,
        property_id=filters.property_id,
    )
    page = bookings[filters.offset : filters.offset + filters.limit]
    return {"count": bookings.count(), "items": list(page)}


@router.get("/bookings/{reference}", response={200: BookingOut, **BOOKING_ERRORS}, auth=bearer)
def get_booking(request: HttpRequest, reference: Code) -> Booking:
    return selectors.booking_get(reference=reference, user=api_user(request))


def _transition(
    request: HttpRequest, reference: str, action: Callable[..., Booking], **extra: Any
) -> Booking:
    limit_booking_change(request, api_user(request))
    booking = action(reference=reference, actor=api_user(request), **extra)
    return selectors.booking_get(reference=booking.reference, user=api_user(request))


@router.post(
    "/bookings/{reference}/cancel", response={200: BookingOut, **BOOKING_ERRORS}, auth=bearer
)
def cancel_booking(
    request: HttpRequest, reference: Code, payload: CancelIn | None = None
) -> Booking:
    reason = payload.reason if payload else ""
    return _transition(request, reference, booking_cancel_then_refund, reason=reason)


@router.post(
    "/bookings/{reference}/confirm", response={200: BookingOut, **BOOKING_ERRORS}, auth=bearer
)
def confirm_booking(request: HttpRequest, reference: Code) -> Booking:
    """Staff: confirm a pending booking."""
    return _transition(request, reference, services.booking_confirm)


@router.post(
    "/bookings/{reference}/check-in", response={200: BookingOut, **BOOKING_ERRORS}, auth=bearer
)
def check_in_booking(request: HttpRequest, reference: Code) -> Booking:
    """Staff: the guest has arrived (from the arrival day until the day before departure)."""
    return _transition(request, reference, services.booking_check_in)


@router.post(
    "/bookings/{reference}/check-out", response={200: BookingOut, **BOOKING_ERRORS}, auth=bearer
)
def check_out_booking(
    request: HttpRequest, reference: Code, payload: CheckOutIn | None = None
) -> Booking:
    """Staff: the guest has left. While the folio has a balance due this is 409 `balance_due`
    (with `balance_due` and `currency`): record a payment first, or send `invoice_later: true`
    with a `reason` (audited). Issues the final invoice (see the booking's folio)."""
    return _transition(
        request,
        reference,
        booking_check_out_settled,
        invoice_later=payload.invoice_later if payload else False,
        reason=payload.reason if payload else "",
    )


@router.post(
    "/bookings/{reference}/no-show", response={200: BookingOut, **BOOKING_ERRORS}, auth=bearer
)
def no_show_booking(request: HttpRequest, reference: Code) -> Booking:
    """Staff: the guest never arrived (from the arrival day on)."""
    return _transition(request, reference, services.booking_mark_no_show)
