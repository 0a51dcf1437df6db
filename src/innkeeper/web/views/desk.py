"""Front desk (staff only): today's lists with check-in/out buttons, room board, actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import user_passes_test
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from innkeeper.accounts.models import User
from innkeeper.bookings import services
from innkeeper.bookings.rules import property_today
from innkeeper.channels.feed_selectors import channel_alerts
from innkeeper.core.errors import ApplicationError
from innkeeper.flows.cancel_then_refund import booking_cancel_then_refund
from innkeeper.flows.settle_then_check_out import booking_check_out_settled
from innkeeper.payments.folio import BalanceDue
from innkeeper.rooms.models import Property
from innkeeper.web.board import room_board
from innkeeper.web.selectors import desk_day
from innkeeper.web.views.account import RateLimitedLoginView
from innkeeper.web.views.common import current_user, safe_next

ACTIONS: dict[str, tuple[Callable[..., object], str]] = {
    "confirm": (services.booking_confirm, "confirmed"),
    "check-in": (services.booking_check_in, "checked in"),
    # Refused while the guest owes money: the booking page takes it or invoices it later.
    "check-out": (booking_check_out_settled, "checked out"),
    "no-show": (services.booking_mark_no_show, "marked as no-show"),
    "cancel": (booking_cancel_then_refund, "cancelled"),
}


def _is_staff(user: object) -> bool:
    return isinstance(user, User) and user.is_authenticated and user.is_staff


staff_required = user_passes_test(_is_staff, login_url="web:desk_login")


class StaffAuthenticationForm(AuthenticationForm):
    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not _is_staff(user):
            raise ValidationError(
                "This account is not front-desk staff. Guests sign in on the booking pages.",
                code="not_staff",
            )


class DeskLoginView(RateLimitedLoginView):
    template_name = "web/login.html"
    authentication_form = StaffAuthenticationForm
    extra_context = {"title": "Front desk sign in", "show_register": False}

    def get_default_redirect_url(self) -> str:
        return reverse("web:desk")


def _desk_property(request: HttpRequest) -> Property:
    properties = Property.objects.order_by("name")
    chosen = request.GET.get("property", "")
    prop = properties.filter(pk=chosen).first() if chosen.isdigit() else properties.first()
    if prop is None:
        raise Http404("No property yet: add one in the admin.")
    return prop


@staff_required
def today(request: HttpRequest) -> HttpResponse:
    prop = _desk_property(request)
    day = property_today(prop)
    return render(
        request,
        "web/desk/today.html",
        {
            "property": prop,
            "today": day,
            "desk": desk_day(prop=prop, today=day),
            **channel_alerts(property_id=prop.pk),
        },
    )


@staff_required
def board(request: HttpRequest) -> HttpResponse:
    prop = _desk_property(request)
    today_ = property_today(prop)
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = today_
    chart = room_board(prop=prop, start=start)
    return render(
        request, "web/desk/board.html", {"property": prop, "today": today_, "board": chart}
    )


@staff_required
@require_POST
def booking_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such action.")
    service, done = ACTIONS[action]
    try:
        service(reference=reference, actor=current_user(request))
    except BalanceDue as error:
        messages.error(request, error.detail)  # settle it on the booking page's folio
        return redirect(reverse("web:desk_booking", args=[reference.upper()]) + "#check-out")
    except ApplicationError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"Booking {reference.upper()} {done}.")
    return redirect(safe_next(request, reverse("web:desk")))
