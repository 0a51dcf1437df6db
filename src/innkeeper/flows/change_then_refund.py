"""Change, then re-price: a booking change (bookings), its email (notifications) and the
money it leaves (payments): a balance or deposit top-up owed, or a refund of what was paid
above the new total, issued once the change is committed."""

from __future__ import annotations

from dataclasses import dataclass

from innkeeper.accounts.models import User
from innkeeper.bookings.change_rules import ChangeRequest
from innkeeper.bookings.changes import ChangePlan, booking_change
from innkeeper.bookings.models import BookingStatus
from innkeeper.bookings.services import booking_confirm
from innkeeper.core.db import atomic_with_retry
from innkeeper.notifications.services import booking_change_notify
from innkeeper.payments.adjustments import ChangeMoney, change_money, refund_after_change


@dataclass(frozen=True)
class ChangeResult:
    plan: ChangePlan
    money: ChangeMoney


def _money(plan: ChangePlan) -> ChangeMoney:
    return change_money(
        booking=plan.booking, new_total=plan.after.total, new_deposit=plan.after.deposit_due
    )


def booking_change_quote(
    *, reference: str, actor: User | None, request: ChangeRequest, by_guest_link: bool = False
) -> ChangeResult:
    """What the change would be and cost, refused exactly as the change would be; nothing
    is written."""
    plan = booking_change(
        reference=reference,
        actor=actor,
        request=request,
        by_guest_link=by_guest_link,
        dry_run=True,
    )
    return ChangeResult(plan=plan, money=_money(plan))


def booking_change_committed(
    *,
    reference: str,
    actor: User | None,
    request: ChangeRequest,
    by_guest_link: bool = False,
    source: str = "api",
    actor_label: str = "",
    site_url: str = "",
) -> ChangeResult:
    """The change, its email and the money it leaves, in one transaction (the caller's, such
    as the API's idempotency record, or its own). Then call `refund_after_change`."""

    def work() -> ChangeResult:
        plan = booking_change(
            reference=reference,
            actor=actor,
            request=request,
            by_guest_link=by_guest_link,
            source=source,
            actor_label=actor_label,
        )
        booking_change_notify(booking=plan.booking, site_url=site_url)
        money = _money(plan)
        booking = plan.booking
        # A pending booking whose (lower) deposit is now covered is confirmed, as paying
        # it would have.
        if (
            booking.status == BookingStatus.PENDING
            and booking.property.instant_booking
            and plan.after.deposit_due > 0
            and money.paid >= plan.after.deposit_due
        ):
            booking_confirm(reference=booking.reference, actor=None)
            booking.refresh_from_db()
        return ChangeResult(plan=plan, money=money)

    return atomic_with_retry(work)


def booking_change_then_refund(
    *,
    reference: str,
    actor: User | None,
    request: ChangeRequest,
    by_guest_link: bool = False,
    source: str = "web",
    actor_label: str = "",
    site_url: str = "",
) -> ChangeResult:
    """Change the booking; once committed, refund what was paid above its new total."""
    result = booking_change_committed(
        reference=reference,
        actor=actor,
        request=request,
        by_guest_link=by_guest_link,
        source=source,
        actor_label=actor_label,
        site_url=site_url,
    )
    refund_after_change(reference=result.plan.booking.reference, actor=actor)
    return result
