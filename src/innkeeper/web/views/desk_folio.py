"""Front desk folio: post and void extras, check a guest out with the balance settled (paid
now or invoiced later), and the invoices. Thin: the payments services and flows decide."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from innkeeper.core.errors import ApplicationError
from innkeeper.flows.settle_then_check_out import (
    booking_check_out_settled,
    desk_payment_then_check_out,
)
from innkeeper.payments.downloads import receipt_response
from innkeeper.payments.folio import extra_post, extra_void
from innkeeper.payments.invoices import invoice_get
from innkeeper.payments.services import booking_for_payment
from innkeeper.web.folio import extra_catalogue
from innkeeper.web.forms import (
    CheckOutLaterForm,
    CheckOutPayForm,
    FolioExtraForm,
    FolioVoidForm,
    attach_error,
)
from innkeeper.web.views.desk import staff_required
from innkeeper.web.views.desk_money import _detail, _staff


def _to_folio(reference: str) -> HttpResponse:
    return redirect(reverse("web:desk_booking", args=[reference.upper()]) + "#folio")


@staff_required
@require_POST
def extra_add(request: HttpRequest, reference: str) -> HttpResponse:
    staff = _staff(request)
    booking = booking_for_payment(reference=reference, actor=staff)
    form = FolioExtraForm(request.POST, prefix="extra", catalogue=extra_catalogue(booking))
    status = 422
    if form.is_valid():
        try:
            charge = extra_post(reference=reference, actor=staff, source="web", **form.cleaned_data)
        except ApplicationError as error:
            attach_error(form, error)
            status = error.status
        else:
            messages.success(
                request, f"Posted {charge.quantity} x {charge.description} on {reference.upper()}."
            )
            return _to_folio(reference)
    return _detail(request, reference, status=status, extra=form)


@staff_required
@require_POST
def extra_cancel(request: HttpRequest, reference: str, extra: str) -> HttpResponse:
    form = FolioVoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the extra is voided: nothing was changed.")
        return _to_folio(reference)
    try:
        charge = extra_void(
            reference=reference,
            actor=_staff(request),
            charge_id=extra,
            reason=form.cleaned_data["reason"],
            source="web",
        )
    except ApplicationError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"Voided {charge.quantity} x {charge.description}.")
    return _to_folio(reference)


@staff_required
@require_POST
def check_out(request: HttpRequest, reference: str) -> HttpResponse:
    """`mode`: `settled` (nothing owed), `pay` (take the balance now) or `invoice_later`."""
    staff, mode = _staff(request), request.POST.get("mode", "settled")
    pay = CheckOutPayForm(request.POST if mode == "pay" else None, prefix="out-pay")
    later = CheckOutLaterForm(request.POST if mode == "invoice_later" else None, prefix="out-later")
    form = pay if mode == "pay" else later
    try:
        if mode == "pay" and pay.is_valid():
            desk_payment_then_check_out(reference=reference, actor=staff, **pay.cleaned_data)
        elif mode == "invoice_later" and later.is_valid():
            booking_check_out_settled(
                reference=reference,
                actor=staff,
                invoice_later=True,
                reason=later.cleaned_data["reason"],
                source="web",
            )
        elif mode not in ("pay", "invoice_later"):
            booking_check_out_settled(reference=reference, actor=staff, source="web")
        else:
            return _detail(request, reference, status=422, checkout_pay=pay, checkout_later=later)
    except ApplicationError as error:
        if mode in ("pay", "invoice_later"):
            attach_error(form, error)
        else:
            messages.error(request, error.detail)
        return _detail(
            request, reference, status=error.status, checkout_pay=pay, checkout_later=later
        )
    messages.success(request, f"Booking {reference.upper()} checked out; final invoice issued.")
    return _to_folio(reference)


@staff_required
def invoice(request: HttpRequest, number: str) -> HttpResponse:
    found = invoice_get(number=number, user=_staff(request))
    return receipt_response(found, as_html=request.GET.get("format") == "html")
