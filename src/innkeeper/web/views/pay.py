"""Paying the deposit online from the guest pages: a plain form POST that sends the browser to
Stripe's hosted page (303), and the two pages Stripe sends it back to. No JavaScript needed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from innkeeper.bookings.models import Booking
from innkeeper.core.errors import ApplicationError
from innkeeper.flows.pay_online import checkout_return_then_confirm, checkout_then_confirm
from innkeeper.ops.maintenance import writes_frozen
from innkeeper.payments.checkout import online_payment_offered
from innkeeper.payments.models import PaymentStatus
from innkeeper.web.selectors import guest_booking_get
from innkeeper.web.views.common import current_user, session_references


def _own_booking(request: HttpRequest, reference: str) -> Booking:
    return guest_booking_get(
        reference=reference, user=current_user(request), references=session_references(request)
    )


def _absolute(request: HttpRequest, name: str, reference: str) -> str:
    path = reverse(name, kwargs={"reference": reference})
    if settings.SITE_URL:
        return str(settings.SITE_URL).rstrip("/") + path
    return request.build_absolute_uri(path)


def _back(booking: Booking) -> HttpResponse:
    return redirect("web:confirmation", reference=booking.reference)


@require_POST
def pay_deposit(request: HttpRequest, reference: str) -> HttpResponse:
    """The "Pay the deposit online" button: to the hosted payment page (303 See Other)."""
    booking = _own_booking(request, reference)
    if not online_payment_offered():
        messages.error(request, "Online payment is not available here; pay at the front desk.")
        return _back(booking)
    user = current_user(request)
    try:
        start = checkout_then_confirm(
            booking=booking,
            # Access was checked above (account or this browser's booking); None is a guest
            # holding the booking by link, never "the system".
            actor=user if user and booking.guest_id == user.pk else None,
            # Stripe fills in {CHECKOUT_SESSION_ID}; the return page does not trust it anyway.
            success_url=_absolute(request, "web:payment_return", booking.reference)
            + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=_absolute(request, "web:payment_cancelled", booking.reference),
        )
    except ApplicationError as error:
        messages.error(request, error.detail)
        return _back(booking)
    if not start.url:
        messages.success(request, "Your deposit is paid.")
        return _back(booking)
    return HttpResponseRedirect(start.url, status=303)


@require_GET
def payment_return(request: HttpRequest, reference: str) -> HttpResponse:
    """Stripe's success_url: settle from what Stripe says about the booking's sessions."""
    booking = _own_booking(request, reference)
    if writes_frozen():
        # A GET that writes: in read-only or maintenance mode it leaves the settling to the
        # webhook's retries and reconciliation, which run once writes are allowed again.
        messages.info(request, "Thank you. We confirm your payment shortly and email you.")
        return _back(booking)
    try:
        payments = checkout_return_then_confirm(booking=booking)
    except ApplicationError as error:  # Stripe unreachable: the webhook or reconciliation
        messages.warning(request, f"{error.detail} We will confirm your booking by email.")
        return _back(booking)
    if any(p.status == PaymentStatus.SUCCEEDED for p in payments):
        messages.success(request, "Thank you: your deposit is paid.")
    elif any(p.status == PaymentStatus.PROCESSING for p in payments):
        messages.info(request, "Your payment is being processed; we email you once it clears.")
    return _back(booking)


@require_GET
def payment_cancelled(request: HttpRequest, reference: str) -> HttpResponse:
    """Stripe's cancel_url: the guest came back without paying; the hold still runs."""
    booking = _own_booking(request, reference)
    if booking.status == "pending":
        messages.info(request, "The deposit was not paid. You can pay it until the hold ends.")
    return _back(booking)
