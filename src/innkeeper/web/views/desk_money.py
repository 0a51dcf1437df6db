"""Front desk booking detail: charges, ledger, receipts, history; desk payments and refunds."""

from __future__ import annotations

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from innkeeper.accounts.models import User
from innkeeper.core.errors import ApplicationError
from innkeeper.core.money import ZERO, quantize
from innkeeper.flows.deposit_paid_then_confirm import desk_payment_then_confirm
from innkeeper.payments.desk import desk_refund_pay_out
from innkeeper.payments.downloads import receipt_response
from innkeeper.payments.refunds import refund_issue
from innkeeper.payments.selectors import receipt_get
from innkeeper.payments.services import booking_for_payment
from innkeeper.web.folio import folio_context
from innkeeper.web.forms import DeskPaymentForm, DeskRefundForm, attach_error
from innkeeper.web.money import booking_audit, booking_money
from innkeeper.web.selectors import desk_booking_get
from innkeeper.web.views.desk import staff_required


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # staff_required let the request in
    return user


def _detail(
    request: HttpRequest,
    reference: str,
    *,
    pay: DeskPaymentForm | None = None,
    refund: DeskRefundForm | None = None,
    status: int = 200,
    **folio_forms: Form,
) -> HttpResponse:
    booking, events = desk_booking_get(reference=reference)
    money = booking_money(booking, with_ledger=True)
    if pay is None:
        pay = DeskPaymentForm(prefix="pay", initial={"method": "cash", "amount": money.balance_due})
    context = {
        "booking": booking,
        "events": events,
        "audit": booking_audit(booking),
        "money": money,
        "pay_form": pay,
        "refund_form": refund or DeskRefundForm(prefix="refund"),
        **folio_context(booking, **folio_forms),  # the folio section (web/folio.py)
    }
    return render(request, "web/desk/booking.html", context, status=status)


@staff_required
def booking_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _detail(request, reference)


@staff_required
@require_POST
def payment_record(request: HttpRequest, reference: str) -> HttpResponse:
    form = DeskPaymentForm(request.POST, prefix="pay")
    status = 422
    if form.is_valid():
        try:
            payment = desk_payment_then_confirm(
                reference=reference,
                actor=_staff(request),
                amount=form.cleaned_data["amount"],
                method=form.cleaned_data["method"],
            )
        except ApplicationError as error:
            attach_error(form, error)
            status = error.status
        else:
            messages.success(
                request,
                f"Recorded {quantize(payment.amount, payment.currency)} {payment.currency} "
                f"({payment.method}) "
                f"on booking {payment.booking.reference}.",
            )
            return redirect("web:desk_booking", reference=payment.booking.reference)
    return _detail(request, reference, pay=form, status=status)


@staff_required
@require_POST
def refund_record(request: HttpRequest, reference: str) -> HttpResponse:
    form = DeskRefundForm(request.POST, prefix="refund")
    status = 422
    if form.is_valid():
        staff = _staff(request)
        try:
            booking = booking_for_payment(reference=reference, actor=staff)
            refunds = refund_issue(
                booking=booking,
                actor=staff,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            attach_error(form, error)
            status = error.status
        else:
            total = quantize(sum((r.amount for r in refunds), ZERO), booking.currency)
            messages.success(
                request, f"Refund of {total} {booking.currency} issued on {booking.reference}."
            )
            return redirect("web:desk_booking", reference=booking.reference)
    return _detail(request, reference, refund=form, status=status)


@staff_required
@require_POST
def refund_paid_out(request: HttpRequest, reference: str, refund: str) -> HttpResponse:
    """A refund due at the desk (the guest cancelled online) was given back: record it."""
    try:
        paid = desk_refund_pay_out(reference=reference, refund_id=refund, actor=_staff(request))
    except ApplicationError as error:
        messages.error(request, error.detail)
        return _detail(request, reference, status=error.status)
    messages.success(
        request,
        f"Recorded the refund of {quantize(paid.amount, paid.currency)} {paid.currency} "
        f"paid out on booking {paid.booking.reference}.",
    )
    return redirect("web:desk_booking", reference=paid.booking.reference)


@staff_required
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    found = receipt_get(number=number, user=_staff(request))
    return receipt_response(found, as_html=request.GET.get("format") == "html")
