"""Guests managing their bookings: my bookings, the emailed link, cancel with the policy
refund shown first, and their receipts."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from innkeeper.bookings.links import link_is_live, manage_booking
from innkeeper.bookings.models import Booking
from innkeeper.core.errors import ApplicationError, NotFound
from innkeeper.core.money import ZERO, quantize
from innkeeper.flows.cancel_then_refund import booking_cancel_then_refund
from innkeeper.payments.checkout import online_payment_offered
from innkeeper.payments.downloads import receipt_response
from innkeeper.payments.models import PaymentStatus, Purpose
from innkeeper.web.money import booking_money
from innkeeper.web.selectors import guest_booking_get, guest_bookings
from innkeeper.web.views.common import (
    current_user,
    remember_receipts_of,
    remember_reference,
    session_receipt_references,
    session_references,
)


def _own_booking(request: HttpRequest, reference: str) -> Booking:
    """A booking of this visitor (account or emailed link); others look like missing ones."""
    return guest_booking_get(
        reference=reference, user=current_user(request), references=session_references(request)
    )


def my_bookings(request: HttpRequest) -> HttpResponse:
    bookings = guest_bookings(user=current_user(request), references=session_references(request))
    rows = [(booking, booking_money(booking)) for booking in bookings]
    context = {"rows": rows, "pay_online": online_payment_offered()}
    return render(request, "web/my_bookings.html", context)


def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: lets this browser manage an active booking, then shows it. Once the
    booking has ended (cancelled, checked out, ...) the link opens only its receipts."""
    booking = manage_booking(token)
    if link_is_live(booking):
        remember_reference(request, booking.reference)
        return redirect(reverse("web:my_bookings") + f"#booking-{booking.reference}")
    remember_receipts_of(request, booking.reference)
    receipts = list(booking.receipts.order_by("number"))
    return render(
        request,
        "web/link_ended.html",
        {"booking": booking, "receipts": receipts},
        status=200 if receipts else 410,
    )


def cancel(request: HttpRequest, reference: str) -> HttpResponse:
    """GET: what cancelling now refunds, and the button. POST: cancel (and refund) it."""
    booking = _own_booking(request, reference)
    if request.method != "POST":
        money = booking_money(booking)
        return render(request, "web/cancel.html", {"booking": booking, "money": money})
    user = current_user(request)
    # Access was checked above (account or emailed link); the service checks the status.
    actor = user if user and booking.guest_id == user.pk else None
    try:
        # The same service as the API's cancel: it issues the policy refund after commit.
        booking_cancel_then_refund(
            reference=booking.reference, actor=actor, reason="cancelled by the guest"
        )
    except ApplicationError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _cancelled_message(booking))
    return redirect(reverse("web:my_bookings") + f"#booking-{booking.reference}")


def _cancelled_message(booking: Booking) -> str:
    refunds = booking.payments.filter(purpose=Purpose.REFUND)
    total = refunds.exclude(status=PaymentStatus.FAILED).aggregate(s=Sum("amount"))["s"]
    refunded: Decimal = total or ZERO
    due = refunds.filter(status=PaymentStatus.DUE_AT_DESK).aggregate(s=Sum("amount"))["s"]
    done = f"Booking {booking.reference} is cancelled."
    if due:
        # Money taken at the desk goes back there: nobody has paid it out yet.
        amount = quantize(due, booking.currency)
        return (
            f"{done} A refund of {amount} {booking.currency} is due to you at the front desk, "
            "where it was paid."
        )
    if refunded > 0:
        amount = quantize(refunded, booking.currency)
        return f"{done} A refund of {amount} {booking.currency} is on its way."
    return f"{done} There is nothing to refund."


def receipt(request: HttpRequest, reference: str, number: str) -> HttpResponse:
    """A receipt of the visitor's own booking, as PDF (default) or HTML; an ended booking's
    emailed link still opens its receipts."""
    booking = guest_booking_get(
        reference=reference,
        user=current_user(request),
        references=session_references(request) + session_receipt_references(request),
    )
    found = booking.receipts.filter(number=number.upper()).first()
    if found is None:
        raise NotFound(f"No receipt {number}.", code="receipt_not_found")
    return receipt_response(found, as_html=request.GET.get("format") == "html")
