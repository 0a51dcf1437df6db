"""Changing a booking: dates, room, room type, number of guests; moving a checked-in guest.

Race-free exactly like `booking_create`: the booking row, then the rooms involved are locked
(in id order, so two changes never wait on each other's rooms), the overlap is re-checked
inside the transaction, and the database constraint stays behind it as the backstop. A
change that would overlap raises `RoomUnavailable` (409) and leaves the booking as it was.
The rules (who, when, the price) are in `change_rules`; the money that follows (a refund,
a balance due) is the flow's (flows/change_then_refund.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from innkeeper.accounts.models import User
from innkeeper.bookings.change_rules import (
    ChangeRequest,
    Lines,
    check_may_change,
    check_target,
    current_lines,
    free_room_of_type,
    new_lines,
    resolve_room,
)
from innkeeper.bookings.integrity import is_overlap_violation
from innkeeper.bookings.models import Booking, BookingCharges, BookingEvent
from innkeeper.bookings.rules import check_stay_rules
from innkeeper.bookings.selectors import booking_by_reference, overlapping_active
from innkeeper.core.audit import audit_log
from innkeeper.core.db import atomic_with_retry
from innkeeper.core.errors import InvalidInput, RoomUnavailable
from innkeeper.core.money import quantize
from innkeeper.rooms.models import Room
from innkeeper.rooms.rates import stay_rates

UNAVAILABLE = "Room {room} is already booked for some of these nights. Choose other dates or rooms."


@dataclass(frozen=True)
class ChangePlan:
    """A change as quoted (`applied` False: a dry run) or as made."""

    booking: Booking
    before: Lines
    after: Lines
    applied: bool

    @property
    def difference(self) -> Decimal:
        return quantize(self.after.total - self.before.total, self.booking.currency)


def booking_change(
    *,
    reference: str,
    actor: User | None,
    request: ChangeRequest,
    by_guest_link: bool = False,
    dry_run: bool = False,
    source: str = "api",
    actor_label: str = "",
) -> ChangePlan:
    """Change the booking, or with `dry_run` only say what the change would be and cost.

    `actor`: a guest (own bookings), staff (any), or None for an operator at the CLI
    (`actor_label` names them). `by_guest_link`: a guest holding the emailed manage link
    (the page checked it); guest rules apply."""
    guest = by_guest_link or (actor is not None and not actor.is_staff)

    def work() -> ChangePlan:
        booking = _load(reference, actor, lock=not dry_run)
        check_may_change(booking, actor, request, guest=guest)
        before = current_lines(booking, booking.charges)
        check_in = request.check_in or booking.check_in
        check_out = request.check_out or booking.check_out
        guests = request.guests or booking.guests
        room_id = resolve_room(booking, request)
        if room_id is None and request.room_type_id is not None:
            room_id = free_room_of_type(booking, request.room_type_id, check_in, check_out, guests)
        room_id = room_id or booking.room_id
        room = _rooms({booking.room_id, room_id}, lock=not dry_run)[room_id]
        check_target(booking, room, check_in, check_out, guests)
        moved_stay = (check_in, check_out) != (booking.check_in, booking.check_out)
        if moved_stay or room.room_type_id != booking.room.room_type_id:
            # New nights, or another room type's rules: the stay rules apply as when booking.
            check_stay_rules(stay_rates(room.room_type, check_in, check_out), check_in, check_out)
        current = (booking.room_id, booking.check_in, booking.check_out, booking.guests)
        if (room_id, check_in, check_out, guests) == current:
            raise InvalidInput(
                "This is the booking as it is: nothing to change.", code="nothing_to_change"
            )
        # The rooms are locked, so this re-check cannot race another booking or change of
        # them; the database constraint stays behind it as the backstop.
        taken = overlapping_active(check_in=check_in, check_out=check_out).filter(room=room)
        if taken.exclude(pk=booking.pk).exists():
            raise RoomUnavailable(UNAVAILABLE.format(room=room.number))
        after = new_lines(
            booking, before, room, check_in, check_out, guests, keep_price=request.keep_price
        )
        plan = ChangePlan(booking=booking, before=before, after=after, applied=not dry_run)
        if not dry_run:
            _apply(plan, room, actor, request, source=source, actor_label=actor_label)
        return plan

    return work() if dry_run else atomic_with_retry(work)


def _load(reference: str, actor: User | None, *, lock: bool) -> Booking:
    return booking_by_reference(
        reference,
        visible_to=actor,
        related=("property", "room", "room__room_type", "charges", "property__payment_policy"),
        lock=lock,
    )


def _rooms(ids: set[int], *, lock: bool) -> dict[int, Room]:
    """The rooms of the change, locked in id order like every room lock."""
    query = Room.objects.select_related("room_type", "property", "property__payment_policy")
    if lock:
        query = query.select_for_update(of=("self",))
    return {room.pk: room for room in query.filter(pk__in=sorted(ids)).order_by("pk")}


def _apply(
    plan: ChangePlan,
    room: Room,
    actor: User | None,
    request: ChangeRequest,
    *,
    source: str,
    actor_label: str,
) -> None:
    booking, before, after = plan.booking, plan.before, plan.after
    booking.room = room
    booking.check_in, booking.check_out = after.check_in, after.check_out
    booking.nights, booking.guests = after.nights, after.guests
    booking.total_price = quantize(after.total, booking.currency)
    try:
        with transaction.atomic():
            booking.save(
                update_fields=[
                    "room",
                    "check_in",
                    "check_out",
                    "nights",
                    "guests",
                    "total_price",
                    "updated_at",
                ]
            )
    except IntegrityError as error:
        if is_overlap_violation(error):
            raise RoomUnavailable(UNAVAILABLE.format(room=room.number)) from error
        raise
    BookingCharges.objects.filter(pk=booking.charges.pk).update(
        room_subtotal=after.room_subtotal,
        tourist_tax=after.tourist_tax,
        vat_percent=after.vat_percent,
        vat_amount=after.vat_amount,
        total=after.total,
        first_night=after.first_night,
        deposit_due=after.deposit_due,
    )
    booking.charges.refresh_from_db()
    changes = before.stay_changes(after)
    total = [str(quantize(before.total, booking.currency)), str(booking.total_price)]
    summary = "; ".join(f"{k} {old}→{new}" for k, (old, new) in changes.items())
    BookingEvent.objects.create(
        booking=booking,
        action="booking.changed",
        from_status=booking.status,
        to_status=booking.status,
        actor=actor,
        note=f"{summary}; total {total[0]}→{total[1]}"[:300],
    )
    audit_log(
        "booking.changed",
        actor=actor,
        actor_label=actor_label,
        target=booking.reference,
        source=source,
        details={
            "changes": changes,
            "total": total,
            "difference": str(plan.difference),
            "keep_price": request.keep_price,
            "reason": request.reason[:300],
        },
    )
