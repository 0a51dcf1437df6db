"""The stay's account (folio): the price fixed on the booking, extras posted by staff during
the stay, payments and refunds from the ledger, and the balance. Posting and voiding extras
are the only writes here; the amounts come from `core.money`, in the property's currency."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking, BookingStatus
from innkeeper.core.audit import audit_log
from innkeeper.core.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound
from innkeeper.core.money import quantize, vat_included
from innkeeper.payments.ledger import balance_due as folio_balance
from innkeeper.payments.models import ExtraItem, FolioCharge, Settlement
from innkeeper.payments.services import booking_for_payment
from innkeeper.rooms.pricing import loaded_policy

# Extras are posted while the guest is in the house, and after check-out for what is found
# late (the minibar checked once the room is empty); never on a stay that did not happen.
POSTING_STATUSES = (BookingStatus.CHECKED_IN, BookingStatus.CHECKED_OUT)
MAX_QUANTITY = 99


class BalanceDue(Conflict):
    """Check-out refused: the guest owes money and staff neither took it nor chose to
    invoice it later."""

    code, title = "balance_due", "Balance due"


def folio_booking_lock(*, reference: str, actor: User) -> Booking:
    """The booking, its row locked for the rest of the transaction: posting, voiding and
    checking out one stay happen one after another, so a check-out never misses an extra."""
    if not actor.is_staff:
        raise Forbidden("Only front-desk staff work on a guest's folio.", code="staff_only")
    return booking_for_payment(reference=reference, actor=actor, lock=True)


def checkout_settlement(
    *, booking: Booking, actor: User, invoice_later: bool, reason: str, source: str = "api"
) -> str:
    """How the stay is settled as the guest leaves (the caller holds the booking's row lock):
    nothing owed, or a balance staff chose to invoice later (audited, who and why). A balance
    nobody took or chose to invoice is refused with 409 `balance_due`."""
    balance = folio_balance(booking)
    if balance <= 0:
        return Settlement.SETTLED
    cur = booking.currency
    if not invoice_later:
        raise BalanceDue(
            f"{booking.guest_name} still owes {balance} {cur}. Record a payment, or mark the "
            "balance to invoice later (with a reason), then check out.",
            extra={"balance_due": str(balance), "currency": cur},
        )
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            "Say why the balance is invoiced later (e.g. company pays, invoice sent to ...).",
            code="reason_required",
            extra={"field": "reason"},
        )
    audit_log(
        "folio.invoice_later",
        actor=actor,
        target=booking.reference,
        source=source,
        details={"amount": str(balance), "currency": cur, "reason": reason},
    )
    return Settlement.INVOICE_LATER


def checkout_payment_check(*, booking: Booking, amount: Decimal) -> None:
    """Taking a payment as the guest leaves settles the folio only if it covers the balance:
    refuse a smaller one before anything is recorded, saying what would stay unpaid."""
    balance, amount = folio_balance(booking), quantize(amount, booking.currency)
    if amount < balance:
        left = quantize(balance - amount, booking.currency)
        raise BalanceDue(
            f"{booking.guest_name} owes {balance} {booking.currency}: {amount} would leave "
            f"{left} unpaid. Take the whole balance, or check out with it invoiced later.",
            extra={"balance_due": str(balance), "currency": booking.currency, "field": "amount"},
        )


def _check_posting(booking: Booking) -> None:
    if booking.status not in POSTING_STATUSES:
        raise InvalidTransition(
            f"Booking {booking.reference} is {booking.get_status_display().lower()}: extras "
            "are posted from check-in on.",
            code="folio_closed",
            extra={"booking_status": booking.status},
        )


def _catalogue_item(booking: Booking, code: str) -> ExtraItem:
    item = ExtraItem.objects.filter(property_id=booking.property_id, code=code, active=True).first()
    if item is None:
        raise InvalidInput(
            f"No extra {code!r} in this property's catalogue.",
            code="extra_not_found",
            extra={"field": "code"},
        )
    return item


def extra_post(
    *,
    reference: str,
    actor: User,
    code: str,
    quantity: int = 1,
    note: str = "",
    source: str = "api",
) -> FolioCharge:
    """Post `quantity` of a catalogue extra on the stay, at today's catalogue price."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(f"Quantity must be 1 to {MAX_QUANTITY}.", extra={"field": "quantity"})
    with transaction.atomic():
        booking = folio_booking_lock(reference=reference, actor=actor)
        _check_posting(booking)
        item = _catalogue_item(booking, code)
        currency = booking.currency
        rate = item.vat_percent
        if rate is None:
            rate = Decimal(loaded_policy(booking.property).vat_percent)
        vat_percent = rate.quantize(Decimal("0.01"))
        unit_price = quantize(item.unit_price, currency)
        amount = quantize(unit_price * quantity, currency)
        charge = FolioCharge.objects.create(
            booking=booking,
            item=item,
            description=item.name,
            quantity=quantity,
            unit_price=unit_price,
            amount=amount,
            currency=currency,
            vat_percent=vat_percent,
            vat_amount=vat_included(amount, vat_percent, currency),
            note=note.strip()[:300],
            posted_by=actor,
        )
        audit_log(
            "folio.extra_posted",
            actor=actor,
            target=booking.reference,
            source=source,
            details={
                "extra": str(charge.uid),
                "code": item.code,
                "quantity": quantity,
                "amount": str(amount),
            },
        )
    return charge


def extra_void(
    *, reference: str, actor: User, charge_id: str, reason: str, source: str = "api"
) -> FolioCharge:
    """Take a posted extra off the bill (a mistake, a gesture): kept, marked void."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Say why the extra is voided.", extra={"field": "reason"})
    with transaction.atomic():
        booking = folio_booking_lock(reference=reference, actor=actor)
        _check_posting(booking)
        uid = _uuid_or_none(charge_id)
        charge = (
            FolioCharge.objects.select_for_update().filter(booking=booking, uid=uid).first()
            if uid is not None
            else None
        )
        if charge is None:
            raise NotFound(
                f"No extra {charge_id} on booking {booking.reference}.", code="extra_not_found"
            )
        if charge.voided_at is not None:
            raise InvalidTransition("This extra is already voided.", code="extra_already_voided")
        charge.voided_at = timezone.now()
        charge.voided_by = actor
        charge.void_reason = reason[:300]
        charge.save(update_fields=["voided_at", "voided_by", "void_reason"])
        audit_log(
            "folio.extra_voided",
            actor=actor,
            target=booking.reference,
            source=source,
            details={"extra": str(charge.uid), "amount": str(charge.amount), "reason": reason},
        )
    return charge


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
