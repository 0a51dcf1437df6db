"""Guest pages: home, search, booking form, confirmation."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from innkeeper.bookings.rules import property_today
from innkeeper.bookings.selectors import availability_search
from innkeeper.bookings.services import booking_create
from innkeeper.core.errors import ApplicationError, RoomUnavailable
from innkeeper.ops.ratelimit.services import RateLimited, limit_booking_create
from innkeeper.payments.checkout import online_payment_offered
from innkeeper.rooms.models import Property
from innkeeper.rooms.selectors import room_get
from innkeeper.web.forms import GuestDetailsForm, SearchForm, StayForm, attach_error
from innkeeper.web.limits import limited_page
from innkeeper.web.money import booking_money, stay_offer
from innkeeper.web.selectors import guest_booking_get, offers_by_room_type, property_pages
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
            offers = offers_by_room_type(
                available,
                check_in=form.cleaned_data["check_in"],
                check_out=form.cleaned_data["check_out"],
                guests=form.cleaned_data["guests"],
            )
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
    offer = stay_offer(
        room=room,
        check_in=data["check_in"],
        check_out=data["check_out"],
        guests=data["guests"],
        policy=None,
    )
    return {
        "room": room,
        "nights": offer.nights,
        "offer": offer,
        "property": room.property,
        "hold_minutes": settings.BOOKING_PENDING_TTL_MINUTES,
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
    context["stay"] = stay
    if request.method != "POST":
        initial = {"guest_name": user.name, "guest_email": user.email} if user else {}
        context["details"] = GuestDetailsForm(initial=initial)
        return render(request, "web/book.html", context)
    details = GuestDetailsForm(request.POST)
    context["details"] = details
    try:
        limit_booking_create(request, user)
    except RateLimited as refused:
        return limited_page(request, "web/book.html", context, refused)
    return _book_submit(request, stay, details, context)


def _book_submit(
    request: HttpRequest, stay: StayForm, details: GuestDetailsForm, context: dict[str, object]
) -> HttpResponse:
    """The same service the API calls: same price, same charges record, same email job."""
    status = 422
    user = current_user(request)
    if details.is_valid():
        try:
            booking = booking_create(
                room_id=stay.cleaned_data["room"],
                check_in=stay.cleaned_data["check_in"],
                check_out=stay.cleaned_data["check_out"],
                guests=stay.cleaned_data["guests"],
                created_by=user,
                guest=user if user and not user.is_staff else None,
                # The guest's email (sent by a worker) links back to this address.
                site_url=settings.SITE_URL or request.build_absolute_uri("/"),
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
            return redirect("web:confirmation", reference=booking.reference)
    context["taken"] = status == RoomUnavailable.status
    return render(request, "web/book.html", context, status=status)


def confirmation(request: HttpRequest, reference: str) -> HttpResponse:
    booking = guest_booking_get(
        reference=reference, user=current_user(request), references=session_references(request)
    )
    context = {
        "booking": booking,
        "money": booking_money(booking),
        "pay_online": online_payment_offered(),
    }
    return render(request, "web/confirmation.html", context)
