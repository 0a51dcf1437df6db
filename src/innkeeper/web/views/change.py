"""Change a booking from the guest's pages and from the desk: the form, a quote (what changes
and what it costs) and the change, without JavaScript. The same flow as the API's."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from innkeeper.bookings.models import Booking
from innkeeper.core.errors import ApplicationError
from innkeeper.core.money import quantize
from innkeeper.flows.change_then_refund import (
    ChangeResult,
    booking_change_quote,
    booking_change_then_refund,
)
from innkeeper.web.change_forms import ChangeForm, DeskChangeForm
from innkeeper.web.forms import attach_error
from innkeeper.web.selectors import desk_booking_get
from innkeeper.web.views.common import current_user
from innkeeper.web.views.desk import staff_required
from innkeeper.web.views.manage import _own_booking


def _outcome_message(result: ChangeResult) -> str:
    booking, money = result.plan.booking, result.money
    cur = booking.currency
    total = quantize(booking.total_price, cur)
    done = f"Booking {booking.reference} is changed: new total {total} {cur}."
    if money.refund > 0:
        return f"{done} {money.refund} {cur} paid above it is refunded."
    if money.balance_due > 0:
        return f"{done} Balance due: {money.balance_due} {cur}."
    return done


def _handle(
    request: HttpRequest,
    booking: Booking,
    form: ChangeForm,
    *,
    template: str,
    done_url: str,
    **who: object,
) -> HttpResponse:
    quote: ChangeResult | None = None
    status = 200
    if request.method == "POST" and form.is_valid():
        change = form.change_request()
        try:
            if request.POST.get("action") == "confirm":
                result = booking_change_then_refund(
                    reference=booking.reference,
                    request=change,
                    source="web",
                    **who,  # type: ignore[arg-type]
                )
                messages.success(request, _outcome_message(result))
                return redirect(done_url)
            quote = booking_change_quote(reference=booking.reference, request=change, **who)  # type: ignore[arg-type]
        except ApplicationError as error:
            attach_error(form, error)
            status = error.status
    elif request.method == "POST":
        status = 422
    context = {"booking": booking, "form": form, "quote": quote}
    return render(request, template, context, status=status)


def guest_change(request: HttpRequest, reference: str) -> HttpResponse:
    """The guest's own booking (account or emailed link), within the policy's window."""
    booking = _own_booking(request, reference)
    user = current_user(request)
    actor = user if user and booking.guest_id == user.pk else None
    data = request.POST if request.method == "POST" else None
    return _handle(
        request,
        booking,
        ChangeForm(data, booking=booking),
        template="web/change.html",
        done_url=reverse("web:my_bookings") + f"#booking-{booking.reference}",
        actor=actor,
        by_guest_link=actor is None,
    )


@staff_required
def desk_change(request: HttpRequest, reference: str) -> HttpResponse:
    booking, _events = desk_booking_get(reference=reference)
    data = request.POST if request.method == "POST" else None
    return _handle(
        request,
        booking,
        DeskChangeForm(data, booking=booking),
        template="web/desk/change.html",
        done_url=reverse("web:desk_booking", args=[booking.reference]),
        actor=request.user,
    )
