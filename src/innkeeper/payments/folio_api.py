"""/api/v1 folio: the stay's account, extras posted and voided by staff, invoices."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router, Schema
from pydantic import Field

from innkeeper.accounts.auth import api_user, bearer
from innkeeper.core.idempotency import idempotent
from innkeeper.core.money import quantize
from innkeeper.core.schemas import AUTH_ERRORS, Code, Problem, StrictIn
from innkeeper.payments.downloads import receipt_response
from innkeeper.payments.folio import MAX_QUANTITY, extra_post, extra_void
from innkeeper.payments.folio_lines import folio_get
from innkeeper.payments.invoices import invoice_get, statement_issue
from innkeeper.payments.models import FolioCharge, Invoice

router = Router()
ERRORS = {**AUTH_ERRORS, 403: Problem, 404: Problem, 409: Problem}


class ExtraIn(StrictIn):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    quantity: int = Field(default=1, ge=1, le=MAX_QUANTITY)
    note: str = Field(default="", max_length=300)


class VoidIn(StrictIn):
    reason: str = Field(min_length=1, max_length=300)


class FolioLineOut(Schema):
    kind: Literal["room", "tourist_tax", "extra", "payment", "refund"]
    description: str
    on: str | None
    quantity: int
    unit_price: Decimal | None
    amount: Decimal
    vat_percent: Decimal | None
    vat_amount: Decimal | None
    id: str
    voided: bool
    void_reason: str


class InvoiceOut(Schema):
    number: str
    settlement: str
    reason: str
    charged: Decimal
    paid: Decimal
    balance: Decimal
    currency: str
    html_sha256: str
    pdf_sha256: str
    created_at: datetime

    @staticmethod
    def resolve_charged(obj: Invoice) -> Decimal:
        return quantize(obj.charged, obj.currency)

    @staticmethod
    def resolve_paid(obj: Invoice) -> Decimal:
        return quantize(obj.paid, obj.currency)

    @staticmethod
    def resolve_balance(obj: Invoice) -> Decimal:
        return quantize(obj.balance, obj.currency)


class FolioOut(Schema):
    booking: str
    booking_status: str
    currency: str
    lines: list[FolioLineOut]
    charged: Decimal
    paid: Decimal
    balance_due: Decimal
    payable: bool
    invoices: list[InvoiceOut]


def _extra_json(charge: FolioCharge) -> dict[str, Any]:
    return {
        "id": str(charge.uid),
        "booking": charge.booking.reference,
        "description": charge.description,
        "quantity": charge.quantity,
        "unit_price": str(quantize(charge.unit_price, charge.currency)),
        "amount": str(quantize(charge.amount, charge.currency)),
        "currency": charge.currency,
        "vat_percent": str(charge.vat_percent),
        "vat_amount": str(quantize(charge.vat_amount, charge.currency)),
        "note": charge.note,
        "voided": charge.voided_at is not None,
        "void_reason": charge.void_reason,
    }


class ExtraOut(Schema):
    id: str
    booking: str
    description: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    currency: str
    vat_percent: Decimal
    vat_amount: Decimal
    note: str
    voided: bool
    void_reason: str


@router.get("/bookings/{reference}/folio", response={200: FolioOut, **ERRORS}, auth=bearer)
def booking_folio(request: HttpRequest, reference: Code) -> dict[str, Any]:
    """The stay's account: room nights, taxes, extras (voided ones marked), payments and
    refunds, what was charged and paid, the balance due, and the invoices issued."""
    folio = folio_get(reference=reference, user=api_user(request))
    return {
        "booking": folio.booking.reference,
        "booking_status": folio.booking.status,
        "currency": folio.currency,
        "lines": [line.as_json() for line in folio.lines],
        "charged": folio.charged,
        "paid": folio.paid,
        "balance_due": folio.balance_due,
        "payable": folio.payable,
        "invoices": folio.invoices,
    }


@router.post(
    "/bookings/{reference}/folio/extras",
    response={201: ExtraOut, 422: Problem, **ERRORS},
    auth=bearer,
)
def post_extra(request: HttpRequest, reference: Code, payload: ExtraIn) -> JsonResponse:
    """Staff: post an extra from the property's catalogue (`code`, e.g. `breakfast`) on a
    checked-in (or checked-out) stay. Send an Idempotency-Key: a repeat posts nothing more.
    409 `folio_closed` before check-in; 422 `extra_not_found` for an unknown code."""
    user = api_user(request)

    def work() -> tuple[int, dict[str, Any]]:
        charge = extra_post(reference=reference, actor=user, source="api", **payload.model_dump())
        return 201, _extra_json(charge)

    status, body = idempotent(
        scope=f"folio_extra:{reference.upper()}:user:{user.pk}",
        key=request.headers.get("Idempotency-Key"),
        payload=payload.model_dump(mode="json"),
        work=work,
    )
    return JsonResponse(body, status=status)


@router.post(
    "/bookings/{reference}/folio/extras/{extra_id}/void",
    response={200: ExtraOut, 422: Problem, **ERRORS},
    auth=bearer,
)
def void_extra(
    request: HttpRequest, reference: Code, extra_id: Code, payload: VoidIn
) -> JsonResponse:
    """Staff: take a posted extra off the bill, with a reason (kept on the folio, marked
    void). Idempotency-Key supported; voiding twice is 409 `extra_already_voided`."""
    user = api_user(request)

    def work() -> tuple[int, dict[str, Any]]:
        charge = extra_void(
            reference=reference, actor=user, charge_id=extra_id, reason=payload.reason
        )
        return 200, _extra_json(charge)

    status, body = idempotent(
        scope=f"folio_void:{reference.upper()}:user:{user.pk}",
        key=request.headers.get("Idempotency-Key"),
        payload={"extra": extra_id, **payload.model_dump(mode="json")},
        work=work,
    )
    return JsonResponse(body, status=status)


@router.post(
    "/bookings/{reference}/folio/statements",
    response={201: InvoiceOut, **ERRORS},
    auth=bearer,
)
def issue_statement(request: HttpRequest, reference: Code) -> JsonResponse:
    """Staff: a fresh numbered statement of the folio as it is now (e.g. after a late
    payment); the final invoice is issued by check-out itself. Idempotency-Key supported."""
    user = api_user(request)

    def work() -> tuple[int, dict[str, Any]]:
        invoice = statement_issue(reference=reference, actor=user)
        return 201, InvoiceOut.from_orm(invoice).model_dump(mode="json")

    status, body = idempotent(
        scope=f"folio_statement:{reference.upper()}:user:{user.pk}",
        key=request.headers.get("Idempotency-Key"),
        payload={},
        work=work,
    )
    return JsonResponse(body, status=status)


@router.get(
    "/invoices/{number}",
    response={200: None, **AUTH_ERRORS, 404: Problem},
    auth=bearer,
    openapi_extra={
        "responses": {200: {"description": "The invoice", "content": {"text/html": {}}}}
    },
)
def download_invoice(
    request: HttpRequest, number: Code, format: Literal["pdf", "html"] = "pdf"
) -> HttpResponse:
    """The invoice as `?format=pdf` (default) or `html`; guests get their own, staff any."""
    invoice = invoice_get(number=number, user=api_user(request))
    return receipt_response(invoice, as_html=format == "html")
