"""/api/v1 booking changes: `POST /bookings/{reference}/change` (and its `?dry_run=true` quote)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router, Schema
from pydantic import Field

from innkeeper.accounts.auth import api_user, bearer
from innkeeper.bookings import selectors
from innkeeper.bookings.api import BOOKING_ERRORS, BookingOut
from innkeeper.bookings.change_rules import ChangeRequest, Lines
from innkeeper.core.idempotency import idempotent
from innkeeper.core.money import quantize
from innkeeper.core.schemas import Code, Id, IsoDate, StrictIn
from innkeeper.flows.change_then_refund import (
    ChangeResult,
    booking_change_committed,
    booking_change_quote,
)
from innkeeper.ops.ratelimit.services import limit_booking_change
from innkeeper.payments.adjustments import refund_after_change

router = Router()


class ChangeIn(StrictIn):
    """Only the fields given change; at least one must differ from the booking."""

    check_in: IsoDate | None = None
    check_out: IsoDate | None = None
    room_id: Id | None = None
    room_type_id: Id | None = None
    guests: int | None = Field(default=None, ge=1, le=50)
    keep_price: bool = Field(
        default=False, description="Staff: move at no charge (the old price stays)."
    )
    reason: str = Field(default="", max_length=300)


class ChangeQuery(Schema):
    dry_run: bool = False


class StayLinesOut(Schema):
    room_id: int
    room_number: str
    room_type: str
    check_in: date
    check_out: date
    nights: int
    guests: int
    room_subtotal: Decimal
    tourist_tax: Decimal
    vat_percent: Decimal
    vat_amount: Decimal
    total: Decimal
    deposit_due: Decimal


class ChangeQuoteOut(Schema):
    applied: bool
    currency: str
    before: StayLinesOut
    after: StayLinesOut
    difference: Decimal
    paid: Decimal
    balance_due: Decimal
    deposit_top_up: Decimal
    refund: Decimal


class ChangeOut(ChangeQuoteOut):
    """The booking as it is now (unchanged after a dry run) and the change's quote."""

    booking: BookingOut


def _lines(lines: Lines, cur: str) -> dict[str, Any]:
    money = ("room_subtotal", "tourist_tax", "vat_amount", "total", "deposit_due")
    out: dict[str, Any] = {
        name: getattr(lines, name)
        for name in ("room_id", "room_number", "room_type", "check_in", "check_out", "guests")
    }
    out.update({name: quantize(getattr(lines, name), cur) for name in money})
    out.update(nights=lines.nights, vat_percent=lines.vat_percent)
    return out


def change_json(result: ChangeResult, request: HttpRequest) -> dict[str, Any]:
    plan, money = result.plan, result.money
    cur = plan.booking.currency
    booking = selectors.booking_get(reference=plan.booking.reference, user=api_user(request))
    body = ChangeQuoteOut(
        applied=plan.applied,
        currency=cur,
        before=StayLinesOut(**_lines(plan.before, cur)),
        after=StayLinesOut(**_lines(plan.after, cur)),
        difference=plan.difference,
        paid=money.paid,
        balance_due=money.balance_due,
        deposit_top_up=money.deposit_top_up,
        refund=money.refund,
    ).model_dump(mode="json")
    body["booking"] = BookingOut.from_orm(booking).model_dump(mode="json")
    return body


@router.post(
    "/bookings/{reference}/change", response={200: ChangeOut, **BOOKING_ERRORS}, auth=bearer
)
def change_booking(
    request: HttpRequest, reference: Code, payload: ChangeIn, query: Query[ChangeQuery]
) -> JsonResponse:
    """Change dates, room, room type (a free room of it is picked) or number of guests.
    Guests: their own pending/confirmed bookings until the free-cancellation deadline;
    staff: any, and move checked-in guests to another room. `?dry_run=true` answers the same
    quote (old and new lines, difference, balance, refund) without changing anything.
    409 `room_unavailable` leaves the booking as it was. Send an Idempotency-Key: the same
    key and body replay the first answer and never change or refund twice."""
    user = api_user(request)
    limit_booking_change(request, user)
    change = ChangeRequest(**payload.model_dump())
    if query.dry_run:
        quote = booking_change_quote(reference=reference, actor=user, request=change)
        return JsonResponse(change_json(quote, request), status=200)

    def work() -> tuple[int, dict[str, Any]]:
        result = booking_change_committed(reference=reference, actor=user, request=change)
        return 200, change_json(result, request)

    status, body = idempotent(
        scope=f"booking_change:{reference.upper()}:user:{user.pk}",
        key=request.headers.get("Idempotency-Key"),
        payload=payload.model_dump(mode="json"),
        work=work,
    )
    # Committed: give back what was paid above the new total (nothing on a replay).
    refund_after_change(reference=reference, actor=user)
    return JsonResponse(body, status=status)
