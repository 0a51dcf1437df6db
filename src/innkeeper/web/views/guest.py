"""Guest pages: home, search, booking form, confirmation, my bookings, cancel."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from innkeeper.bookings.rules import property_today
from innkeeper.bookings.selectors import availability_search
from innkeeper.bookings.services import booking_cancel, booking_create
from innkeeper.core.errors import ApplicationError, RoomUnavailable
from innkeeper.rooms.models import Property
from innkeeper.rooms.pricing import stay_price
from innkeeper.rooms.selectors import room_get
from innkeeper.web.forms import GuestDetailsForm, SearchForm, StayForm, attach_error
from innkeeper.web.magic import manage_link_send, manage_reference
from innkeeper.web.selectors import (
    guest_booking_get,
    guest_bookings,
    offers_by_room_type,
    property_pages,
)
from innkeeper.web.views.common import current_user, remember_reference, session_references

TAKEN = (
    "Sorry, someone else booked this room a moment ago. "
    "Search again to see what is still free for your dates."
)


def _default_search_form() -> SearchForm:
    prop = Property.objects.order_by("name").first()
    today = property_today(prop) if prop else None
    return SearchForm(initial=SearchForm.suggested(today) if today else {})


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "web/home.html", {"pages": property_pages(), "form": _default_search_form()}
    )


def search(request: HttpRequest) -> HttpResponse:
    if not request.GET:
        return render(request, "web/search.html", {"form": _default_search_form()})
    form = SearchForm(request.GET)
    offers = None
    status = 200
    if form.is_valid():
        try:
            available = availability_search(
                check_in=form.cleaned_data["check_in"],
                check_out=form.cleaned_data["check_out"],
                guests=form.cleaned_data["guests"],
            )
            offers = offers_by_room_type(available)
        except ApplicationError as error:
            attach_error(form, error)
            status = error.status
    else:
        status = 422
    return render(request, "web/search.html", {"form": form, "offers": offers}, status=status)


def _book_context(stay: StayForm) -> dict[str, object]:
    """The summary above the booking form; raises ApplicationError for a stay that can't be."""
    data = stay.cleaned_data
    room = room_get(room_id=data["room"])
    nights = (data["check_out"] - data["check_in"]).days
    return {
        "room": room,
        "nights": nights,
        "total_price": stay_price(nightly_rate=room.room_type.nightly_rate, nights=nights),
    }


def book(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    stay = StayForm(source)
    if not stay.is_valid():
        messages.error(request, "Choose your dates and a room first.")
        return redirect("web:search")
    try:
        context = _book_context(stay)
    except ApplicationError as error:
        messages.error(request, error.detail)
        return redirect("web:search")
    user = current_user(request)
    if request.method != "POST":
        initial = {"guest_name": user.name, "guest_email": user.email} if user else {}
        details = GuestDetailsForm(initial=initial)
        return render(request, "web/book.html", {**context, "stay": stay, "details": details})
    details = GuestDetailsForm(request.POST)
    status = 422
    if details.is_valid():
        try:
            booking = booking_create(
                room_id=stay.cleaned_data["room"],
                check_in=stay.cleaned_data["check_in"],
                check_out=stay.cleaned_data["check_out"],
                guests=stay.cleaned_data["guests"],
                created_by=user,
                guest=user if user and not user.is_staff else None,
                **details.cleaned_data,
            )
        except RoomUnavailable as error:
            details.add_error(None, TAKEN)
            status = error.status
        except ApplicationError as error:
            attach_error(details, error)
            status = error.status
        else:
            remember_reference(request, booking.reference)
            base_url = settings.SITE_URL or request.build_absolute_uri("/")
            manage_link_send(booking=booking, base_url=base_url)
            return redirect("web:confirmation", reference=booking.reference)
    context.update(stay=stay, details=details, taken=status == RoomUnavailable.status)
    return render(request, "web/book.html", context, status=status)


def confirmation(request: HttpRequest, reference: str) -> HttpResponse:
    booking = guest_booking_get(
        reference=reference, user=current_user(request), references=session_references(request)
    )
    return render(request, "web/confirmation.html", {"booking": booking})


def my_bookings(request: HttpRequest) -> HttpResponse:
    bookings = guest_bookings(user=current_user(request), references=session_references(request))
    return render(request, "web/my_bookings.html", {"bookings": bookings})


def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: lets this browser manage the booking, then shows it."""
    reference = manage_reference(token)
    remember_reference(request, reference)
    return redirect(reverse("web:my_bookings") + f"#booking-{reference}")


@require_POST
def cancel(request: HttpRequest, reference: str) -> HttpResponse:
    user = current_user(request)
    booking = guest_booking_get(
        reference=reference, user=user, references=session_references(request)
    )
    # Access was checked above (account or emailed link); the service checks the status.
    actor = user if user and booking.guest_id == user.pk else None
    try:
        booking_cancel(reference=booking.reference, actor=actor, reason="cancelled by the guest")
    except ApplicationError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"Booking {booking.reference} is cancelled. Nothing is charged.")
    return redirect("web:my_bookings")
