"""Paying a pending booking's deposit on Stripe's hosted page (Checkout), from the guest pages.

No card data touches innkeeper: the guest is sent to the session's URL and comes back to
`success_url` or `cancel_url`. What comes back in the browser's address is never trusted: the
return page, the webhook and reconciliation all ask Stripe for the session, and whichever
arrives first settles the payment (the payment row's lock makes the others no-ops).

A session can be paid until it expires at Stripe, which is at least 30 minutes after it was
made; the booking's hold may end sooner. So when the hold ends, its open sessions are expired
first (`checkout_close`): after that nobody can pay them, and a session that was paid a moment
before is settled (and confirms the booking) instead of being lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking, BookingStatus
from innkeeper.core.audit import audit_log
from innkeeper.core.errors import InvalidTransition, ServiceUnavailable
from innkeeper.payments.checkout_provider import SessionAnswer, StripeCheckout
from innkeeper.payments.models import OPEN_STATUSES, Payment, PaymentStatus, Provider, Purpose
from innkeeper.payments.providers import ProviderUnavailable
from innkeeper.payments.services import _amount_owed
from innkeeper.payments.settle import (
    OnSucceeded,
    PaymentProviderUnavailable,
    _locked,
    payment_apply,
    payment_refresh,
)

logger = logging.getLogger(__name__)

# Stripe keeps a session payable for at least 30 minutes after it is made (one more for
# clocks that disagree). Sessions are made only while the hold runs, so none of a booking's
# sessions can be paid later than this after its hold ends.
SESSION_MIN_LIFETIME = timedelta(minutes=31)
UNSENT = (PaymentStatus.CREATED, PaymentStatus.PROVIDER_UNAVAILABLE)


@dataclass(frozen=True)
class CheckoutStart:
    payment: Payment
    url: str  # the hosted payment page; "" when the deposit turned out to be paid already


def online_payment_offered() -> bool:
    """Whether the guest pages offer "Pay the deposit online"."""
    return bool(settings.STRIPE_SECRET_KEY) and settings.STRIPE_CHECKOUT_ENABLED


def _open_checkouts(booking: Booking) -> list[Payment]:
    return list(
        Payment.objects.filter(
            booking=booking,
            provider=Provider.STRIPE,
            hosted_checkout=True,
            status__in=OPEN_STATUSES,
        ).order_by("id")
    )


def _deposit_payment(*, booking_id: int, actor: User | None, now: datetime) -> Payment:
    """The open Checkout payment of this deposit, or a new one (never two for one debt)."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("property", "charges")
            .get(pk=booking_id)
        )
        if booking.status != BookingStatus.PENDING:
            raise InvalidTransition(
                f"Booking {booking.reference} is {booking.get_status_display().lower()}; "
                "there is no deposit to pay online.",
                code="booking_not_payable",
            )
        if booking.expires_at is not None and booking.expires_at <= now:
            raise InvalidTransition(
                f"The hold on booking {booking.reference} has ended; book again.",
                code="hold_expired",
            )
        open_payments = Payment.objects.filter(
            booking=booking, purpose=Purpose.DEPOSIT, status__in=OPEN_STATUSES
        )
        checkout = open_payments.filter(hosted_checkout=True).first()
        if checkout is not None:
            return checkout
        if open_payments.exists():
            raise InvalidTransition(
                f"A payment of this deposit is already under way for {booking.reference}.",
                code="payment_in_progress",
            )
        owed = _amount_owed(booking, Purpose.DEPOSIT)
        if owed <= 0:
            raise InvalidTransition(
                f"Nothing is owed for the deposit of booking {booking.reference}.",
                code="nothing_owed",
            )
        return Payment.objects.create(
            booking=booking,
            provider=Provider.STRIPE,
            purpose=Purpose.DEPOSIT,
            method="card",
            hosted_checkout=True,
            amount=owed,
            currency=booking.currency,
            actor=actor,
        )


def _session_for(
    payment_id: int, *, success_url: str, cancel_url: str, now: datetime, on_succeeded: OnSucceeded
) -> tuple[Payment, SessionAnswer | None, str]:
    """Make the payment's session (or read the one it has); returns the payment, Stripe's
    answer and, if Stripe could not be reached, why."""
    provider = StripeCheckout()
    with transaction.atomic():
        payment = _locked(payment_id)
        try:
            if payment.status in UNSENT:
                payment.attempts += 1
                hold = payment.booking.expires_at or now
                answer = provider.session_create(
                    payment,
                    success_url=success_url,
                    cancel_url=cancel_url,
                    expires_at=max(hold, now + SESSION_MIN_LIFETIME),
                )
            else:
                answer = provider.session_get(payment.provider_ref)
        except ProviderUnavailable as error:
            payment.status = PaymentStatus.PROVIDER_UNAVAILABLE
            payment.last_error = str(error)[:300]
            payment.save()
            return payment, None, str(error)
        payment_apply(payment=payment, result=answer.result, on_succeeded=on_succeeded)
        return payment, answer, ""


def checkout_begin(
    *,
    booking: Booking,
    actor: User | None,
    success_url: str,
    cancel_url: str,
    on_succeeded: OnSucceeded,
    source: str = "web",
) -> CheckoutStart:
    """The hosted page to pay `booking`'s deposit on. The caller has checked that `actor`
    (a signed-in guest, or None for a guest holding the booking by link) may see the booking.
    Repeating it (a double click, the back button) returns the same open session."""
    for _ in range(2):  # a second pass when the open session had expired at Stripe
        now = timezone.now()
        payment = _deposit_payment(booking_id=booking.pk, actor=actor, now=now)
        fresh = payment.status in UNSENT
        payment, answer, unavailable = _session_for(
            payment.pk,
            success_url=success_url,
            cancel_url=cancel_url,
            now=now,
            on_succeeded=on_succeeded,
        )
        if unavailable:
            logger.warning("checkout %s: provider unavailable (%s)", payment.uid, unavailable)
            raise PaymentProviderUnavailable(
                "Online payment is unavailable for a moment; nothing was charged. "
                "Try again in a minute, or pay at the front desk.",
                extra={"payment_id": str(payment.uid)},
                headers={"Retry-After": "30"},
            )
        assert answer is not None
        if fresh and answer.url:
            audit_log(
                "payment.checkout_started",
                actor=actor,
                actor_label="" if actor else "guest (booking link)",
                target=booking.reference,
                source=source,
                details={"payment": str(payment.uid), "session": payment.provider_ref},
            )
        if payment.status == PaymentStatus.SUCCEEDED:
            return CheckoutStart(payment, "")
        if answer.url:
            return CheckoutStart(payment, answer.url)
        if payment.status == PaymentStatus.FAILED and not fresh:
            continue  # that session expired: the next pass makes a new one
        raise InvalidTransition(
            f"The payment could not be started: {payment.last_error or payment.status}.",
            code="payment_not_started",
        )
    raise InvalidTransition("The payment could not be started.", code="payment_not_started")


def checkout_return(*, booking: Booking, on_succeeded: OnSucceeded) -> list[Payment]:
    """The guest is back from the hosted page: ask Stripe (never the query string) about
    each of the booking's open Checkout payments and settle what it says."""
    settled = []
    for payment in _open_checkouts(booking):
        if payment.provider_ref:
            settled.append(payment_refresh(payment_id=payment.pk, on_succeeded=on_succeeded)[0])
    return settled


def checkout_close(*, booking: Booking, now: datetime, on_succeeded: OnSucceeded) -> bool:
    """Before a hold ends: expire the booking's open sessions at Stripe. Returns whether the
    hold may end now. A session paid meanwhile settles (and confirms the booking); while
    Stripe cannot be reached the hold is kept, but never past the last moment any of its
    sessions could still be paid."""
    provider = StripeCheckout()
    for payment in _open_checkouts(booking):
        if not payment.provider_ref:
            continue  # no session was made: nothing anyone could pay
        try:
            with transaction.atomic():
                locked = _locked(payment.pk)
                if not locked.is_open:
                    continue
                answer = provider.session_expire(locked.provider_ref)
                payment_apply(payment=locked, result=answer.result, on_succeeded=on_succeeded)
        except (ProviderUnavailable, ServiceUnavailable) as error:
            if booking.expires_at and now < booking.expires_at + SESSION_MIN_LIFETIME:
                logger.warning("hold %s kept: cannot expire its checkout (%s)", booking, error)
                return False
            logger.warning("hold %s ends; its checkout has expired at Stripe by now", booking)
    return True
