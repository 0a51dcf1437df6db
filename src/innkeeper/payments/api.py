"""/api/v1 payments: pay, refund, statement, receipts and the Stripe webhook."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router, Schema
from pydantic import Field

from innkeeper.accounts.auth import api_user, bearer
from innkeeper.core.errors import Forbidden
from innkeeper.core.idempotency import idempotent
from innkeeper.core.money import quantize
from innkeeper.core.schemas import AUTH_ERRORS, Amount, Code, Problem, StrictIn
from innkeeper.flows.deposit_paid_then_confirm import (
    payment_submit_then_confirm,
    stripe_webhook_then_confirm,
)
from innkeeper.payments import selectors
from innkeeper.payments.downloads import receipt_response
from innkeeper.payments.folio_api import router as folio_router
from innkeeper.payments.models import LedgerEntry, Payment
from innkeeper.payments.refunds import refund_issue
from innkeeper.payments.services import booking_for_payment, payment_create

router = Router()
ERRORS = {**AUTH_ERRORS, 403: Problem, 404: Problem, 409: Problem}
# The folio (the stay's account: extras, invoices) has a module of its own.
router.add_router("", folio_router)


class PaymentIn(StrictIn):
    provider: Literal["stripe", "pay_at_property"] = "stripe"
    purpose: Literal["deposit", "balance"] = "deposit"
    amount: Amount | None = None
    method: Literal["", "cash", "card", "transfer"] = ""


class RefundIn(StrictIn):
    amount: Amount | None = None
    reason: str = Field(default="", max_length=300)


class PaymentOut(Schema):
    id: str
    booking: str
    provider: str
    purpose: str
    method: str
    amount: Decimal
    currency: str
    status: str
    client_secret: str
    provider_ref: str
    refund_of: str | None
    created_at: datetime


class LedgerOut(Schema):
    kind: str
    amount: Decimal
    settled: Decimal
    currency: str
    provider: str
    provider_ref: str
    note: str
    created_at: datetime

    @staticmethod
    def resolve_amount(obj: LedgerEntry) -> Decimal:
        return quantize(obj.amount, obj.currency)

    @staticmethod
    def resolve_settled(obj: LedgerEntry) -> Decimal:
        return quantize(obj.settled, obj.currency)


class ReceiptOut(Schema):
    number: str
    html_sha256: str
    pdf_sha256: str
    created_at: datetime


class StatementOut(Schema):
    booking: str
    booking_status: str
    currency: str
    total: Decimal
    deposit_due: Decimal
    paid: Decimal
    balance_due: Decimal
    payments: list[PaymentOut]
    ledger: list[LedgerOut]
    receipts: list[ReceiptOut]


class RefundsOut(Schema):
    refunds: list[PaymentOut]


class WebhookOut(Schema):
    result: str


def payment_json(payment: Payment) -> dict[str, Any]:
    return PaymentOut(
        id=str(payment.uid),
        booking=payment.booking.reference,
        provider=payment.provider,
        purpose=payment.purpose,
        method=payment.method,
        amount=quantize(payment.amount, payment.currency),
        currency=payment.currency,
        status=payment.status,
        client_secret=payment.client_secret,
        provider_ref=payment.provider_ref,
        refund_of=str(payment.refund_of.uid) if payment.refund_of else None,
        created_at=payment.created_at,
    ).model_dump(mode="json")


@router.post("/bookings/{reference}/payments", response={201: PaymentOut, **ERRORS}, auth=bearer)
def create_payment(request: HttpRequest, reference: Code, payload: PaymentIn) -> JsonResponse:
    """Pay what the booking owes. `stripe` returns the PaymentIntent `client_secret` for
    Stripe.js; staff record `pay_at_property` (cash, card, transfer). Send an Idempotency-Key:
    repeats return the same payment and never charge twice. 503 `payment_provider_unavailable`
    means the provider is unreachable: retry with the same key."""
    user = api_user(request)

    def work() -> tuple[int, dict[str, Any]]:
        payment = payment_create(reference=reference, actor=user, **payload.model_dump())
        return 201, {"payment_id": payment.pk}

    status, body = idempotent(
        scope=f"payment:{reference.upper()}:user:{user.pk}",
        key=request.headers.get("Idempotency-Key"),
        payload=payload.model_dump(mode="json"),
        work=work,
    )
    payment = payment_submit_then_confirm(payment_id=body["payment_id"], actor=user)
    return JsonResponse(payment_json(payment), status=status)


@router.post("/bookings/{reference}/refunds", response={201: RefundsOut, **ERRORS}, auth=bearer)
def create_refund(request: HttpRequest, reference: Code, payload: RefundIn) -> JsonResponse:
    """Staff: refund. Without `amount`, the cancellation policy's refund of a cancelled
    booking; with `amount`, an override that needs a `reason`."""
    user = api_user(request)
    if not user.is_staff:
        raise Forbidden("Only staff can issue refunds.", code="staff_only")
    booking = booking_for_payment(reference=reference, actor=user)
    refunds = refund_issue(
        booking=booking, actor=user, amount=payload.amount, reason=payload.reason
    )
    return JsonResponse({"refunds": [payment_json(r) for r in refunds]}, status=201)


@router.get("/bookings/{reference}/payments", response={200: StatementOut, **ERRORS}, auth=bearer)
def booking_payments(request: HttpRequest, reference: Code) -> dict[str, Any]:
    """The booking's price, payments, append-only ledger, balance and receipts."""
    s = selectors.booking_statement(reference=reference, user=api_user(request))
    charges = s.booking.charges
    return {
        "booking": s.booking.reference,
        "booking_status": s.booking.status,
        "currency": charges.currency,
        "total": quantize(charges.total, charges.currency),
        "deposit_due": quantize(charges.deposit_due, charges.currency),
        "paid": s.paid,
        "balance_due": s.balance_due,
        "payments": [payment_json(p) for p in s.payments],
        "ledger": s.ledger,
        "receipts": s.receipts,
    }


@router.get(
    "/receipts/{number}",
    response={200: None, **AUTH_ERRORS, 404: Problem},
    auth=bearer,
    openapi_extra={
        "responses": {200: {"description": "The receipt", "content": {"text/html": {}}}}
    },
)
def download_receipt(
    request: HttpRequest, number: Code, format: Literal["pdf", "html"] = "pdf"
) -> HttpResponse:
    """The receipt as `?format=pdf` (default) or `html`; guests get their own, staff any.
    The `X-Checksum-SHA256` header carries the stored checksum."""
    receipt = selectors.receipt_get(number=number, user=api_user(request))
    return receipt_response(receipt, as_html=format == "html")


@router.post(
    "/payments/webhooks/stripe",
    response={200: WebhookOut, 400: Problem, 404: Problem, 422: Problem, 503: Problem},
    auth=None,
)
def stripe_webhook(request: HttpRequest) -> dict[str, str]:
    """Stripe events (`payment_intent.*`, `refund.*`, and `checkout.session.*` for deposits paid
    on the guest pages), verified by `Stripe-Signature`; a redelivered or out-of-order event
    changes nothing. 400 for a bad signature or an event lacking fields; 404 when webhooks
    are not configured (no `STRIPE_WEBHOOK_SECRET`)."""
    result = stripe_webhook_then_confirm(
        payload=request.body, signature=request.headers.get("Stripe-Signature", "")
    )
    return {"result": result}
