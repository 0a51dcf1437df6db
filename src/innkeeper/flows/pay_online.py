"""Pay the deposit online, then confirm; and when a hold ends, close its online checkout first.

The guest pages send a pending booking's guest to Stripe Checkout (payments/checkout.py); the
deposit settles from the return page, the webhook (deposit_paid_then_confirm.py) or
reconciliation, whichever is first, and confirms the booking in that same transaction. The
pending-expiry job runs `expire_holds`: a hold with an open Checkout Session ends only once
the session is expired at Stripe (or was paid, and then the booking is confirmed instead).
"""

from __future__ import annotations

from datetime import datetime

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking
from innkeeper.bookings.services import bookings_expire_pending
from innkeeper.flows.deposit_paid_then_confirm import confirm_if_deposit_paid
from innkeeper.payments.checkout import CheckoutStart, checkout_begin, checkout_close
from innkeeper.payments.checkout import checkout_return as _checkout_return
from innkeeper.payments.models import Payment


def checkout_then_confirm(
    *, booking: Booking, actor: User | None, success_url: str, cancel_url: str
) -> CheckoutStart:
    return checkout_begin(
        booking=booking,
        actor=actor,
        success_url=success_url,
        cancel_url=cancel_url,
        on_succeeded=confirm_if_deposit_paid,
    )


def checkout_return_then_confirm(*, booking: Booking) -> list[Payment]:
    return _checkout_return(booking=booking, on_succeeded=confirm_if_deposit_paid)


def _close_checkout(booking: Booking, now: datetime) -> bool:
    return checkout_close(booking=booking, now=now, on_succeeded=confirm_if_deposit_paid)


def expire_holds(*, now: datetime | None = None) -> list[str]:
    """Expire pending bookings whose hold ran out (the room is free again); returns them."""
    return bookings_expire_pending(now=now, before_expiry=_close_checkout)
