"""Managers' writes to rates and stay rules: validated, saved and audited (`rates.*`).

The API and the admin both call these; front-desk staff may read rates but not change them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model

from innkeeper.accounts.models import User
from innkeeper.core.audit import audit_log
from innkeeper.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from innkeeper.rooms.models import RatePlan, RateSeason, RoomType, StayDiscount, StayRule

# The longest season or rule, so that a typo (2062 for 2026) is caught rather than stored.
MAX_RANGE_DAYS = 3 * 366


def _require_manager(actor: User | None) -> None:
    """None is the system (tests, data loads); people need the manager role."""
    if actor is not None and not (actor.is_manager or actor.is_superuser):
        raise Forbidden("Only managers can change rates and stay rules.", code="manager_only")


def _room_type(room_type_id: int, *, lock: bool = False) -> RoomType:
    types = RoomType.objects.select_related("property")
    if lock:
        # Serialises writers of one room type's seasons, so two cannot both pass the
        # overlap check (a no-op on SQLite, whose IMMEDIATE transactions serialise writers).
        types = types.select_for_update(of=("self",))
    room_type = types.filter(pk=room_type_id).first()
    if room_type is None:
        raise NotFound(f"No room type with id {room_type_id}.", code="room_type_not_found")
    return room_type


def _clean(obj: Model) -> None:
    try:
        obj.full_clean(exclude=["room_type"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise InvalidInput(" ".join(messages), extra={"field": field}) from error


def _check_range(first: date, last: date, *, fields: tuple[str, str]) -> None:
    if last < first:
        raise InvalidInput(
            f"{fields[1]} ({last}) is before {fields[0]} ({first}).",
            code="invalid_dates",
            extra={"field": fields[1]},
        )
    if (last - first).days >= MAX_RANGE_DAYS:
        raise InvalidInput(
            f"A range covers at most {MAX_RANGE_DAYS} days.",
            code="invalid_dates",
            extra={"field": fields[1]},
        )


def _save(obj: Model, *, duplicate: str) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as error:
        raise Conflict(duplicate, code="duplicate") from error


def _audit(
    action: str, obj: Any, actor: User | None, source: str, label: str = "", **details: Any
) -> None:
    values = {k: str(v) if v is not None else None for k, v in details.items()}
    audit_log(
        action,
        actor=actor,
        # Without a user: the operator at the CLI (their shell login), or the system.
        actor_label=label or ("" if actor is not None else "system"),
        target=f"room_type:{obj.room_type_id}",
        source=source,
        details={"id": obj.pk, **values},
    )


# --- the rate plan (weekend rate, extra persons) ---------------------------------------------


def rate_plan_check(plan: RatePlan) -> None:
    _clean(plan)
    capacity = plan.room_type.capacity
    if plan.base_occupancy is not None and plan.base_occupancy > capacity:
        raise InvalidInput(
            f"Base occupancy {plan.base_occupancy} is above the capacity ({capacity}).",
            code="base_occupancy_above_capacity",
            extra={"field": "base_occupancy"},
        )


def rate_plan_write(plan: RatePlan, *, actor: User | None, source: str = "api") -> RatePlan:
    """Validate, save and audit the room type's rate plan (the admin's and the API's path)."""
    _require_manager(actor)
    plan.weekend_nights = "".join(sorted(plan.weekend_nights))
    rate_plan_check(plan)
    with transaction.atomic():
        _save(plan, duplicate="This room type has a rate plan already.")
        _audit(
            "rates.plan_set",
            plan,
            actor,
            source,
            weekend_rate=plan.weekend_rate,
            weekend_nights=plan.weekend_nights,
            base_occupancy=plan.base_occupancy,
            extra_person_rate=plan.extra_person_rate,
        )
    return plan


def rate_plan_set(
    *,
    actor: User | None,
    room_type_id: int,
    weekend_rate: Decimal | None = None,
    weekend_nights: str = "45",
    base_occupancy: int | None = None,
    extra_person_rate: Decimal = Decimal(0),
    source: str = "api",
) -> RatePlan:
    """Create or replace the room type's rate plan (its base rate stays the room type's)."""
    _require_manager(actor)
    with transaction.atomic():
        room_type = _room_type(room_type_id, lock=True)
        plan = RatePlan.objects.filter(room_type=room_type).first() or RatePlan(room_type=room_type)
        plan.weekend_rate = weekend_rate
        plan.weekend_nights = weekend_nights
        plan.base_occupancy = base_occupancy
        plan.extra_person_rate = extra_person_rate
        return rate_plan_write(plan, actor=actor, source=source)


# --- seasons -----------------------------------------------------------------------------------


def _check_no_overlap(season: RateSeason) -> None:
    clash = (
        RateSeason.objects.filter(
            room_type_id=season.room_type_id,
            first_night__lte=season.last_night,
            last_night__gte=season.first_night,
        )
        .exclude(pk=season.pk)
        .first()
    )
    if clash is not None:
        raise InvalidInput(
            f"Overlaps the season {clash.name!r} ({clash.first_night} to {clash.last_night}).",
            code="season_overlap",
            extra={"field": "first_night", "season_id": clash.pk},
        )


def season_check(season: RateSeason) -> None:
    """Dates in order, values valid, no overlap with another season of the room type."""
    _check_range(season.first_night, season.last_night, fields=("first_night", "last_night"))
    _clean(season)
    _check_no_overlap(season)


def season_write(season: RateSeason, *, actor: User | None, source: str = "api") -> RateSeason:
    """Validate, save and audit a new or changed season (the admin's and the API's path)."""
    _require_manager(actor)
    action = "rates.season_changed" if season.pk else "rates.season_created"
    with transaction.atomic():
        _room_type(season.room_type_id, lock=True)
        season_check(season)
        _save(season, duplicate="This season exists already.")
        _audit(
            action,
            season,
            actor,
            source,
            name=season.name,
            first_night=season.first_night,
            last_night=season.last_night,
            nightly_rate=season.nightly_rate,
            weekend_rate=season.weekend_rate,
        )
    return season


def season_create(
    *,
    actor: User | None,
    room_type_id: int,
    name: str,
    first_night: date,
    last_night: date,
    nightly_rate: Decimal,
    weekend_rate: Decimal | None = None,
    source: str = "api",
) -> RateSeason:
    season = RateSeason(
        room_type=_room_type(room_type_id),
        name=name,
        first_night=first_night,
        last_night=last_night,
        nightly_rate=nightly_rate,
        weekend_rate=weekend_rate,
    )
    return season_write(season, actor=actor, source=source)


SEASON_FIELDS = frozenset({"name", "first_night", "last_night", "nightly_rate", "weekend_rate"})


def season_update(
    *, actor: User | None, season_id: int, source: str = "api", **changes: Any
) -> RateSeason:
    _require_manager(actor)
    unknown = set(changes) - SEASON_FIELDS
    if unknown:
        raise InvalidInput(f"Unknown season fields: {', '.join(sorted(unknown))}.")
    season = _get(RateSeason, season_id, "season_not_found", "season")
    for name, value in changes.items():
        setattr(season, name, value)
    return season_write(season, actor=actor, source=source)


def _get[M: Model](model: type[M], pk: int, code: str, label: str) -> M:
    found = model._default_manager.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No {label} with id {pk}.", code=code)
    return found


def _delete(
    model: type[Model], pk: int, *, actor: User | None, source: str, what: str, label: str = ""
) -> None:
    _require_manager(actor)
    with transaction.atomic():
        obj = _get(model, pk, f"{what}_not_found", what.replace("_", " "))
        details = {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
        obj.delete()
        obj.pk = pk
        _audit(f"rates.{what}_deleted", obj, actor, source, label, **details)


def season_delete(*, actor: User | None, season_id: int, source: str = "api") -> None:
    _delete(RateSeason, season_id, actor=actor, source=source, what="season")


# --- length-of-stay discounts ------------------------------------------------------------------


def discount_write(
    discount: StayDiscount, *, actor: User | None, source: str = "api"
) -> StayDiscount:
    _require_manager(actor)
    _clean(discount)
    action = "rates.discount_changed" if discount.pk else "rates.discount_created"
    with transaction.atomic():
        _save(discount, duplicate=f"A discount from {discount.min_nights} nights exists already.")
        _audit(
            action,
            discount,
            actor,
            source,
            min_nights=discount.min_nights,
            percent=discount.percent,
        )
    return discount


def discount_create(
    *,
    actor: User | None,
    room_type_id: int,
    min_nights: int,
    percent: Decimal,
    source: str = "api",
) -> StayDiscount:
    discount = StayDiscount(
        room_type=_room_type(room_type_id), min_nights=min_nights, percent=percent
    )
    return discount_write(discount, actor=actor, source=source)


def discount_delete(*, actor: User | None, discount_id: int, source: str = "api") -> None:
    _delete(StayDiscount, discount_id, actor=actor, source=source, what="discount")


# --- stay rules -------------------------------------------------------------------------------

RULE_FIELDS = (
    "min_stay",
    "max_stay",
    "closed_to_arrival",
    "closed_to_departure",
    "closed",
)


def stay_rule_write(
    rule: StayRule, *, actor: User | None, source: str = "api", actor_label: str = ""
) -> StayRule:
    """Validate, save and audit a new or changed stay rule (the admin's and the API's path)."""
    _require_manager(actor)
    stay_rule_check(rule)
    action = "rates.rule_changed" if rule.pk else "rates.rule_created"
    with transaction.atomic():
        _save(rule, duplicate="This rule exists already.")
        details = {name: getattr(rule, name) for name in RULE_FIELDS}
        _audit(
            action,
            rule,
            actor,
            source,
            actor_label,
            first_date=rule.first_date,
            last_date=rule.last_date,
            note=rule.note,
            **details,
        )
    return rule


def stay_rule_check(rule: StayRule) -> None:
    _check_range(rule.first_date, rule.last_date, fields=("first_date", "last_date"))
    _clean(rule)
    if rule.min_stay and rule.max_stay and rule.min_stay > rule.max_stay:
        raise InvalidInput(
            f"The minimum stay ({rule.min_stay}) is above the maximum stay ({rule.max_stay}).",
            code="min_stay_above_max_stay",
            extra={"field": "max_stay"},
        )
    if not any(getattr(rule, name) for name in RULE_FIELDS):
        raise InvalidInput(
            "A rule must set a minimum or maximum stay, or close something.",
            code="empty_rule",
            extra={"field": "closed"},
        )


def stay_rule_create(
    *,
    actor: User | None,
    room_type_id: int,
    first_date: date,
    last_date: date,
    source: str = "api",
    actor_label: str = "",
    **fields: Any,
) -> StayRule:
    _require_manager(actor)
    rule = StayRule(room_type=_room_type(room_type_id), first_date=first_date, last_date=last_date)
    for name, value in fields.items():
        if name not in (*RULE_FIELDS, "note"):
            raise InvalidInput(f"Unknown stay rule field {name!r}.")
        setattr(rule, name, value)
    return stay_rule_write(rule, actor=actor, source=source, actor_label=actor_label)


def stay_rule_delete(
    *, actor: User | None, rule_id: int, source: str = "api", actor_label: str = ""
) -> None:
    _delete(StayRule, rule_id, actor=actor, source=source, what="rule", label=actor_label)


def rate_plan_delete(*, actor: User | None, plan_id: int, source: str = "api") -> None:
    """Back to the base rate every night, no extra-person charge."""
    _delete(RatePlan, plan_id, actor=actor, source=source, what="plan")
