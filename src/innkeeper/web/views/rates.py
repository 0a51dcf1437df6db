"""The rate calendar (staff): a room type's month at a glance, each night's rate and rules."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from innkeeper.bookings.rules import property_today
from innkeeper.rooms.models import RoomType
from innkeeper.rooms.rate_calendar import rate_calendar
from innkeeper.web.views.desk import staff_required


def _month(text: str, default: date) -> date:
    """YYYY-MM within reach of a calendar (its previous and next months exist), else now."""
    try:
        month = date.fromisoformat(f"{text}-01")
    except ValueError:
        return default.replace(day=1)
    return month if 1 < month.year < 9999 else default.replace(day=1)


@staff_required
def rates(request: HttpRequest) -> HttpResponse:
    types = list(RoomType.objects.select_related("property").order_by("property__name", "name"))
    if not types:
        raise Http404("No room type yet: add one in the admin.")
    chosen = request.GET.get("room_type", "")
    room_type = next((t for t in types if str(t.pk) == chosen), types[0])
    month = _month(request.GET.get("month", ""), property_today(room_type.property))
    sheet = rate_calendar(room_type_id=room_type.pk, month=month)
    return render(
        request,
        "web/desk/rates.html",
        {
            "types": types,
            "room_type": room_type,
            "property": room_type.property,
            "calendar": sheet,
            "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        },
    )
