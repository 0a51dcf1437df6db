"""The folio read as lines: room nights, taxes, extras, payments, refunds and the balance, the
same lines for the API, the desk page and the invoice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking, BookingStatus
from innkeeper.core.money import ZERO, quantize
from innkeeper.payments.ledger import amount_charged, balance_due, is_payable, paid_amount
from innkeeper.payments.models import FolioCharge, Invoice, LedgerEntry, Settlement
from innkeeper.payments.services import booking_for_payment


@dataclass(frozen=True)
class FolioLine:
    """`kind`: room, tourist_tax, extra, payment, refund. `amount` is what the line adds to the
    charges (room, tax, extra) or to what was paid (payment > 0, refund < 0)."""

    kind: str
    description: str
    on: date | None
    amount: Decimal
    quantity: int = 1
    unit_price: Decimal | None = None
    vat_percent: Decimal | None = None
    vat_amount: Decimal | None = None
    id: str = ""
    voided: bool = False
    void_reason: str = ""

    def as_json(self) -> dict[str, Any]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "kind": self.kind,
            "description": self.description,
            "on": self.on.isoformat() if self.on else None,
            "quantity": self.quantity,
            "unit_price": text(self.unit_price),
            "amount": str(self.amount),
            "vat_percent": text(self.vat_percent),
            "vat_amount": text(self.vat_amount),
            "id": self.id,
            "voided": self.voided,
            "void_reason": self.void_reason,
        }


@dataclass
class Folio:
    booking: Booking
    currency: str
    charges: list[FolioLine] = field(default_factory=list)
    extras: list[FolioLine] = field(default_factory=list)  # voided ones included, marked
    money: list[FolioLine] = field(default_factory=list)  # payments and refunds
    charged: Decimal = ZERO
    paid: Decimal = ZERO
    balance_due: Decimal = ZERO
    payable: bool = False
    invoices: list[Invoice] = field(default_factory=list)

    @property
    def lines(self) -> list[FolioLine]:
        return [*self.charges, *self.extras, *self.money]


def _stay_lines(booking: Booking) -> list[FolioLine]:
    charges = getattr(booking, "charges", None)
    if charges is None:
        return []  # booked before prices were stored: staff take payments in the admin
    cur = charges.currency
    nights = booking.nights
    rate = quantize(charges.room_subtotal / nights, cur) if nights else None
    lines = [
        FolioLine(
            kind="room",
            description=f"Room {booking.room.number}, {nights} night(s) (VAT incl.)",
            on=booking.check_in,
            quantity=nights,
            unit_price=rate,
            amount=quantize(charges.room_subtotal, cur),
            vat_percent=charges.vat_percent,
            vat_amount=quantize(charges.vat_amount, cur),
        )
    ]
    if charges.tourist_tax:
        lines.append(
            FolioLine(
                kind="tourist_tax",
                description=f"Tourist tax ({booking.guests} guest(s) x {nights} night(s))",
                on=booking.check_in,
                amount=quantize(charges.tourist_tax, cur),
            )
        )
    return lines


def _extra_line(charge: FolioCharge, zone: Any) -> FolioLine:
    return FolioLine(
        kind="extra",
        description=charge.description + (f" ({charge.note})" if charge.note else ""),
        on=charge.posted_at.astimezone(zone).date(),
        quantity=charge.quantity,
        unit_price=quantize(charge.unit_price, charge.currency),
        amount=quantize(charge.amount, charge.currency),
        vat_percent=charge.vat_percent,
        vat_amount=quantize(charge.vat_amount, charge.currency),
        id=str(charge.uid),
        voided=charge.voided_at is not None,
        void_reason=charge.void_reason,
    )


def _money_line(entry: LedgerEntry, zone: Any) -> FolioLine:
    refund = entry.settled < 0
    how = entry.payment.method or entry.get_provider_display()
    return FolioLine(
        kind="refund" if refund else "payment",
        description=f"{'Refund' if refund else 'Payment'} ({how})",
        on=entry.created_at.astimezone(zone).date(),
        amount=quantize(entry.settled, entry.currency),
        id=str(entry.payment.uid),
    )


def folio_build(booking: Booking) -> Folio:
    zone = booking.property.zone
    extras = FolioCharge.objects.filter(booking=booking).order_by("posted_at", "id")
    entries = (
        LedgerEntry.objects.filter(booking=booking)
        .exclude(settled=0)
        .select_related("payment")
        .order_by("created_at", "id")
    )
    charged, paid = amount_charged(booking), paid_amount(booking)
    return Folio(
        booking=booking,
        currency=booking.currency,
        charges=_stay_lines(booking),
        extras=[_extra_line(charge, zone) for charge in extras],
        money=[_money_line(entry, zone) for entry in entries],
        charged=charged,
        paid=paid,
        balance_due=quantize(charged - paid, booking.currency),
        payable=is_payable(booking),
        invoices=list(booking.invoices.defer("pdf", "html").order_by("year", "sequence")),
    )


def folio_get(*, reference: str, user: User) -> Folio:
    """Staff see any stay's folio, guests their own."""
    booking = booking_for_payment(reference=reference, actor=user)
    return folio_build(booking)


@dataclass(frozen=True)
class Owing:
    booking: Booking
    balance_due: Decimal
    invoice_later: Invoice | None  # the "to invoice later" invoice, if staff chose that


def departures_owing() -> list[Owing]:
    """Guests who left owing money: checked out with the balance to invoice later, or with an
    extra posted after they left. Few rows: only stays with such an invoice or an extra."""
    candidates = (
        Booking.objects.filter(status=BookingStatus.CHECKED_OUT)
        .filter(Q(invoices__settlement=Settlement.INVOICE_LATER) | Q(folio_charges__isnull=False))
        .select_related("charges")
        .distinct()
        .order_by("checked_out_at")
    )
    owing = []
    for booking in candidates:
        balance = balance_due(booking)
        if balance > 0:
            later = booking.invoices.filter(settlement=Settlement.INVOICE_LATER).last()
            owing.append(Owing(booking=booking, balance_due=balance, invoice_later=later))
    return owing
