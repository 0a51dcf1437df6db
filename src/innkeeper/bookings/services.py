"""Writes to bookings. Every status change goes through `_transition` and leaves an event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from innkeeper.accounts.models import User
from innkeeper.bookings.charges import charges_record
from innkeeper.bookings.integrity import is_overlap_violation
from innkeeper.bookings.models import ALLOWED_TRANSITIONS, Booking, BookingEvent
from innkeeper.bookings.models import BookingStatus as S
from innkeeper.bookings.rules import check_stay_rules, property_today, validate_stay
from innkeeper.bookings.selectors import (
    booking_by_reference,
    overlapping_active,
    overlapping_blocks,
)
from innkeeper.core.audit import audit_log
from innkeeper.core.db import atomic_with_retry
from innkeeper.core.errors import (
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFound,
    RoomUnavailable,
)
from innkeeper.core.ids import new_reference
from innkeeper.notifications.services import booking_status_notify
from innkeeper.rooms.models import Room
from innkeeper.rooms.pricing import loaded_policy, stay_quote
from innkeeper.rooms.rates import stay_rates

# Asked before a hold ends: may it end now? (See bookings_expire_pending.)
BeforeExpiry = Callable[[Booking, datetime], bool]

UNAVAILABLE = "Room {room} is already booked for some of these nights. Choose other dates or rooms."
BLOCKED = "Room {room} is not available for some of these nights. Choose other dates or rooms."


def _check_guest_email(email: str) -> None:
    """Every door that books (API, pages, admin, desk) ends here: the address is emailed and
    shown as a mailto link, so `a@x?cc=evil@y` or `not-an-email` must never be stored."""
    if not email:
        raise InvalidInput("A guest email is required.", extra={"field": "guest_email"})
    try:
        validate_email(email)
    except ValidationError as error:
        raise InvalidInput(
            "Enter a valid guest email address.",
            code="invalid_email",
            extra={"field": "guest_email"},
        ) from error


def booking_create(
    *,
    room_id: int,
    check_in: date,
    check_out: date,
    guests: int,
    created_by: User | None,
    guest: User | None = None,
    guest_name: str = "",
    guest_email: str = "",
    guest_phone: str = "",
    notes: str = "",
    site_url: str = "",
) -> Booking:
    """Book a room, or raise RoomUnavailable. Safe against any number of concurrent callers.

    `site_url`: the public address the guest booked on; their email then carries the link
    to manage the booking (see `booking_status_notify`)."""
    if guests < 1:
        raise InvalidInput("A booking is for at least one guest.", extra={"field": "guests"})
    name = guest_name.strip() or (guest.name if guest else "") or (guest.email if guest else "")
    email = guest_email.strip().lower() or (guest.email if guest else "")
    _check_guest_email(email)

    def create() -> Booking:
        room = _lock_room(room_id)
        stay = validate_stay(room.property, check_in, check_out)
        if guests > room.room_type.capacity:
            raise InvalidInput(
                f"Room {room.number} sleeps at most {room.room_type.capacity}.",
                code="too_many_guests",
                extra={"field": "guests"},
            )
        # The room row is locked, so this re-check cannot race another booking of the room;
        # the database constraint stays behind it as the backstop.
        if overlapping_active(check_in=check_in, check_out=check_out).filter(room=room).exists():
            raise RoomUnavailable(UNAVAILABLE.format(room=room.number))
        if overlapping_blocks(check_in=check_in, check_out=check_out).filter(room=room).exists():
            raise RoomUnavailable(BLOCKED.format(room=room.number))
        rates = stay_rates(room.room_type, check_in, check_out)
        check_stay_rules(rates, check_in, check_out)
        quote = stay_quote(
            prop=room.property,
            room_type=room.room_type,
            check_in=check_in,
            check_out=check_out,
            guests=guests,
            policy=loaded_policy(room.property),
            rates=rates,
        )
        # A booking that owes a deposit stays pending (and expires) until it is paid.
        instant = room.property.instant_booking and not quote.deposit_due
        now = timezone.now()
        booking = Booking(
            reference=new_reference(),
            property=room.property,
            room=room,
            guest=guest,
            guest_name=name or email,
            guest_email=email,
            guest_phone=guest_phone.strip(),
            guests=guests,
            check_in=check_in,
            check_out=check_out,
            nights=stay.nights,
            total_price=quote.total,
            currency=room.property.currency,
            status=S.CONFIRMED if instant else S.PENDING,
            confirmed_at=now if instant else None,
            expires_at=None
            if instant
            else now + timedelta(minutes=settings.BOOKING_PENDING_TTL_MINUTES),
            notes=notes,
            created_by=created_by,
        )
        try:
            with transaction.atomic():
                booking.save(force_insert=True)
        except IntegrityError as error:
            if is_overlap_violation(error):
                raise RoomUnavailable(UNAVAILABLE.format(room=room.number)) from error
            raise
        charges_record(booking=booking, quote=quote)
        _record(booking, "booking.created", "", booking.status, created_by)
        # Same transaction: no booking, no email.
        booking_status_notify(booking=booking, site_url=site_url)
        return booking

    return atomic_with_retry(create)


def _lock_room(room_id: int) -> Room:
    try:
        room = (
            Room.objects.select_for_update(of=("self",))
            # The payment policy comes with the lock: pricing needs it and it saves a round trip.
            .select_related(
                "room_type", "room_type__rate_plan", "property", "property__payment_policy"
            )
            .get(pk=room_id)
        )
    except Room.DoesNotExist as error:
        raise NotFound(f"No room with id {room_id}.", code="room_not_found") from error
    if not room.is_active:
        raise RoomUnavailable(f"Room {room.number} is not open for booking.")
    return room


def _record(
    booking: Booking, action: str, before: str, after: str, actor: User | None, note: str = ""
) -> None:
    BookingEvent.objects.create(
        booking=booking,
        action=action,
        from_status=before,
        to_status=after,
        actor=actor,
        note=note[:300],
    )
    # One timeline per booking: `innkeeper audit --target REF` shows its status changes
    # beside the payments, refunds and emails audited elsewhere (same transaction).
    details = {"from": before, "to": after, **({"note": note[:300]} if note else {})}
    audit_log(action, actor=actor, target=booking.reference, source="bookings", details=details)


def _transition(
    *, reference: str, to: str, actor: User | None, note: str = "", guard: str = ""
) -> Booking:
    def change() -> Booking:
        booking = booking_by_reference(
            reference, visible_to=actor, related=("property", "room"), lock=True
        )
        _check_allowed(booking, to, actor, guard)
        before = booking.status
        booking.status = to
        stamp = {
            S.CONFIRMED: "confirmed_at",
            S.CHECKED_IN: "checked_in_at",
            S.CHECKED_OUT: "checked_out_at",
            S.CANCELLED: "cancelled_at",
        }.get(S(to))
        fields = ["status", "updated_at"]
        if stamp:
            setattr(booking, stamp, timezone.now())
            fields.append(stamp)
        if to == S.CANCELLED:
            booking.cancel_reason = note[:300]
            fields.append("cancel_reason")
        booking.save(update_fields=fields)
        _record(booking, f"booking.{to}", before, to, actor, note)
        booking_status_notify(booking=booking)
        return booking

    return atomic_with_retry(change)


def _check_allowed(booking: Booking, to: str, actor: User | None, guard: str) -> None:
    if to not in ALLOWED_TRANSITIONS[booking.status]:
        raise InvalidTransition(
            f"Booking {booking.reference} is {booking.get_status_display().lower()}; "
            f"it cannot become {S(to).label.lower()}.",
            extra={"booking_status": booking.status},
        )
    today = property_today(booking.property)
    if guard == "arrival" and not booking.check_in <= today < booking.check_out:
        raise InvalidTransition(
            f"Check-in is possible from {booking.check_in} until the day before check-out.",
            code="outside_stay_dates",
        )
    if guard == "no_show" and today < booking.check_in:
        raise InvalidTransition(
            f"A no-show can be recorded from the arrival day ({booking.check_in}).",
            code="outside_stay_dates",
        )


def _require_staff(actor: User | None) -> None:
    if actor is not None and not actor.is_staff:
        raise Forbidden("Only front-desk staff and managers can do this.", code="staff_only")


def booking_confirm(*, reference: str, actor: User | None) -> Booking:
    _require_staff(actor)
    return _transition(reference=reference, to=S.CONFIRMED, actor=actor)


def booking_cancel(*, reference: str, actor: User | None, reason: str = "") -> Booking:
    """Guests cancel their own bookings; staff any. Cancelling frees the dates at once.
    The policy refund is the flow's next step (flows/cancel_then_refund.py)."""
    return _transition(reference=reference, to=S.CANCELLED, actor=actor, note=reason)


def booking_check_in(*, reference: str, actor: User | None) -> Booking:
    _require_staff(actor)
    return _transition(reference=reference, to=S.CHECKED_IN, actor=actor, guard="arrival")


def booking_check_out(*, reference: str, actor: User | None) -> Booking:
    _require_staff(actor)
    return _transition(reference=reference, to=S.CHECKED_OUT, actor=actor)


def booking_mark_no_show(*, reference: str, actor: User | None) -> Booking:
    _require_staff(actor)
    return _transition(reference=reference, to=S.NO_SHOW, actor=actor, guard="no_show")


def bookings_expire_pending(
    *, now: datetime | None = None, before_expiry: BeforeExpiry | None = None
) -> list[str]:
    """Expire pending bookings whose hold ran out; returns their references.

    `before_expiry(booking, now)` runs first for each (outside any transaction: it may call a
    payment provider) and returns whether the hold may end now; a flow passes it in
    (flows/pay_online.py closes the booking's online checkout)."""
    cutoff = now or timezone.now()
    due = Booking.objects.filter(status=S.PENDING, expires_at__lte=cutoff).order_by("id")
    expired: list[str] = []
    for booking in list(due):
        if before_expiry is not None and not before_expiry(booking, cutoff):
            continue  # kept for now; the next run asks again
        try:
            _transition(reference=booking.reference, to=S.EXPIRED, actor=None, note="hold expired")
        except InvalidTransition:
            continue  # confirmed or cancelled meanwhile: nothing to expire
        expired.append(booking.reference)
    return expired
