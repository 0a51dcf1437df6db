"""Staff API for rates and stay rules: staff read, managers write (audited `rates.*`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from innkeeper.accounts.auth import api_user, bearer
from innkeeper.accounts.models import User
from innkeeper.core.errors import Forbidden
from innkeeper.core.schemas import AUTH_ERRORS, Id, IsoDate, Problem, Rate, StrictIn
from innkeeper.rooms import rates_services as services
from innkeeper.rooms.models import RateSeason, StayDiscount, StayRule
from innkeeper.rooms.selectors import room_type_rate_sheet

router = Router()
ERRORS = {**AUTH_ERRORS, 403: Problem, 404: Problem, 409: Problem}
Nights = Annotated[int, Field(ge=1, le=365)]


class PlanIn(StrictIn):
    weekend_rate: Rate | None = None
    weekend_nights: str = Field(default="45", max_length=7, pattern=r"^[0-6]{0,7}$")
    base_occupancy: int | None = Field(default=None, ge=1, le=50)
    extra_person_rate: Rate = Decimal(0)


class PlanOut(Schema):
    weekend_rate: Decimal | None
    weekend_nights: str
    base_occupancy: int | None
    extra_person_rate: Decimal


class SeasonIn(StrictIn):
    name: str = Field(min_length=1, max_length=80)
    first_night: IsoDate
    last_night: IsoDate
    nightly_rate: Rate
    weekend_rate: Rate | None = None


class SeasonPatch(StrictIn):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    first_night: IsoDate | None = None
    last_night: IsoDate | None = None
    nightly_rate: Rate | None = None
    weekend_rate: Rate | None = None


class SeasonOut(Schema):
    id: int
    name: str
    first_night: date
    last_night: date
    nightly_rate: Decimal
    weekend_rate: Decimal | None


class DiscountIn(StrictIn):
    min_nights: int = Field(ge=2, le=365)
    percent: Annotated[str, Field(pattern=r"^(100(\.00?)?|[1-9]?[0-9](\.[0-9]{1,2})?)$")]


class DiscountOut(Schema):
    id: int
    min_nights: int
    percent: Decimal


class RuleIn(StrictIn):
    first_date: IsoDate
    last_date: IsoDate
    min_stay: Nights | None = None
    max_stay: Nights | None = None
    closed_to_arrival: bool = False
    closed_to_departure: bool = False
    closed: bool = False
    note: str = Field(default="", max_length=200)


class RuleOut(Schema):
    id: int
    first_date: date
    last_date: date
    min_stay: int | None
    max_stay: int | None
    closed_to_arrival: bool
    closed_to_departure: bool
    closed: bool
    note: str


class RateSheetOut(Schema):
    room_type_id: int
    currency: str
    base_rate: Decimal
    plan: PlanOut | None
    seasons: list[SeasonOut]
    discounts: list[DiscountOut]
    rules: list[RuleOut]


def _staff(request: HttpRequest) -> User:
    user = api_user(request)
    if not user.is_staff:
        raise Forbidden("Only staff can see rates and stay rules.", code="staff_only")
    return user


@router.get("/room-types/{room_type_id}/rates", response={200: RateSheetOut, **ERRORS}, auth=bearer)
def get_rates(
    request: HttpRequest, room_type_id: Id, since: IsoDate | None = None
) -> dict[str, Any]:
    """Staff: the room type's base rate, rate plan, seasons, length-of-stay discounts and
    stay rules (seasons and rules ending on or after `since`, when given)."""
    _staff(request)
    sheet = room_type_rate_sheet(room_type_id=room_type_id, since=since)
    return {
        "room_type_id": sheet.room_type.pk,
        "currency": sheet.room_type.property.currency,
        "base_rate": sheet.room_type.nightly_rate,
        "plan": sheet.plan,
        "seasons": sheet.seasons,
        "discounts": sheet.discounts,
        "rules": sheet.rules,
    }


@router.put("/room-types/{room_type_id}/rate-plan", response={200: PlanOut, **ERRORS}, auth=bearer)
def put_rate_plan(request: HttpRequest, room_type_id: Id, payload: PlanIn) -> object:
    """Managers: set the weekend rate and nights, base occupancy and extra-person charge."""
    return services.rate_plan_set(
        actor=_staff(request), room_type_id=room_type_id, **payload.model_dump()
    )


@router.post("/room-types/{room_type_id}/seasons", response={201: SeasonOut, **ERRORS}, auth=bearer)
def create_season(request: HttpRequest, room_type_id: Id, payload: SeasonIn) -> Status[RateSeason]:
    """Managers: nights first_night..last_night (both included) at their own rate; 422
    `season_overlap` when it overlaps another season of the room type."""
    season = services.season_create(
        actor=_staff(request), room_type_id=room_type_id, **payload.model_dump()
    )
    return Status(201, season)


@router.patch("/seasons/{season_id}", response={200: SeasonOut, **ERRORS}, auth=bearer)
def update_season(request: HttpRequest, season_id: Id, payload: SeasonPatch) -> object:
    changes = payload.model_dump(exclude_unset=True)
    # null clears only the weekend rate; the other fields cannot be empty.
    changes = {k: v for k, v in changes.items() if v is not None or k == "weekend_rate"}
    return services.season_update(actor=_staff(request), season_id=season_id, **changes)


@router.delete("/seasons/{season_id}", response={204: None, **ERRORS}, auth=bearer)
def delete_season(request: HttpRequest, season_id: Id) -> Status[None]:
    services.season_delete(actor=_staff(request), season_id=season_id)
    return Status(204, None)


@router.post(
    "/room-types/{room_type_id}/discounts", response={201: DiscountOut, **ERRORS}, auth=bearer
)
def create_discount(
    request: HttpRequest, room_type_id: Id, payload: DiscountIn
) -> Status[StayDiscount]:
    """Managers: stays of at least `min_nights` get `percent` off the room (the best one)."""
    discount = services.discount_create(
        actor=_staff(request),
        room_type_id=room_type_id,
        min_nights=payload.min_nights,
        percent=Decimal(payload.percent),
    )
    return Status(201, discount)


@router.delete("/discounts/{discount_id}", response={204: None, **ERRORS}, auth=bearer)
def delete_discount(request: HttpRequest, discount_id: Id) -> Status[None]:
    services.discount_delete(actor=_staff(request), discount_id=discount_id)
    return Status(204, None)


@router.post(
    "/room-types/{room_type_id}/stay-rules", response={201: RuleOut, **ERRORS}, auth=bearer
)
def create_rule(request: HttpRequest, room_type_id: Id, payload: RuleIn) -> Status[StayRule]:
    """Managers: restrict dates first_date..last_date (both included): min/max stay and
    closed to arrival for stays arriving then, closed to departure for stays leaving then,
    closed (stop-sell) for every night then. Overlapping rules combine, the strictest wins."""
    data = payload.model_dump()
    rule = services.stay_rule_create(
        actor=_staff(request),
        room_type_id=room_type_id,
        first_date=data.pop("first_date"),
        last_date=data.pop("last_date"),
        **data,
    )
    return Status(201, rule)


@router.delete("/stay-rules/{rule_id}", response={204: None, **ERRORS}, auth=bearer)
def delete_rule(request: HttpRequest, rule_id: Id) -> Status[None]:
    services.stay_rule_delete(actor=_staff(request), rule_id=rule_id)
    return Status(204, None)
