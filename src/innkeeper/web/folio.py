"""The folio section of the desk booking page: its lines and the forms that act on it.
Reads only; the payments services and flows do the writes."""

from __future__ import annotations

from typing import Any

from django.forms import Form

from innkeeper.bookings.models import Booking
from innkeeper.payments.folio_lines import folio_build
from innkeeper.payments.models import ExtraItem
from innkeeper.web.forms import CheckOutLaterForm, CheckOutPayForm, FolioExtraForm


def extra_catalogue(booking: Booking) -> list[tuple[str, str]]:
    items = ExtraItem.objects.filter(property_id=booking.property_id, active=True)
    return [(i.code, f"{i.name} ({i.unit_price:.2f} {booking.currency})") for i in items]


def folio_context(booking: Booking, **forms: Form) -> dict[str, Any]:
    folio = folio_build(booking)
    return {
        "folio": folio,
        "extra_form": forms.get("extra")
        or FolioExtraForm(prefix="extra", catalogue=extra_catalogue(booking)),
        "checkout_pay_form": forms.get("checkout_pay")
        or CheckOutPayForm(
            prefix="out-pay", initial={"method": "cash", "amount": max(folio.balance_due, 0)}
        ),
        "checkout_later_form": forms.get("checkout_later") or CheckOutLaterForm(prefix="out-later"),
    }
