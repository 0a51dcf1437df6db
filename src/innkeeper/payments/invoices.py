"""Invoices: the folio as a numbered document (every line and the balance), issued at check-out
and, on request, as a fresh statement later. Numbered without gaps per property and year by
the receipts' counter (`receipts.next_sequence`), in the invoices' own series."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking
from innkeeper.core.audit import audit_log
from innkeeper.core.errors import NotFound
from innkeeper.core.ids import sha256_hex
from innkeeper.payments.folio import folio_booking_lock
from innkeeper.payments.folio_lines import Folio, FolioLine, folio_build
from innkeeper.payments.models import Invoice, InvoiceCounter, Settlement
from innkeeper.payments.receipts import next_sequence, pdf_document


def _money(amount: Decimal | None, currency: str) -> str:
    return "" if amount is None else f"{amount} {currency}"


def _pdf_rows(folio: Folio, number: str, when: str) -> list[tuple[str, str]]:
    """Label/value rows for the PDF (fpdf's core fonts: Latin-1 only, so other characters
    are replaced rather than failing the check-out)."""
    cur, booking = folio.currency, folio.booking
    rows = [
        ("Invoice", number),
        ("Date", when),
        ("Booking", booking.reference),
        ("Guest", booking.guest_name),
        ("Stay", f"{booking.check_in} to {booking.check_out} ({booking.nights} nights)"),
    ]
    for line in folio.lines:
        label = f"{line.on or ''} {line.description}"
        if line.quantity > 1 and line.unit_price is not None:
            label += f" ({line.quantity} x {line.unit_price})"
        if line.vat_amount:
            label += f", VAT {line.vat_percent}% incl. {line.vat_amount}"
        value = f"{_money(line.amount, cur)}{' VOID: ' + line.void_reason if line.voided else ''}"
        rows.append((label, value))
    rows += [
        ("Total charged", _money(folio.charged, cur)),
        ("Total paid", _money(folio.paid, cur)),
        ("Balance due", _money(folio.balance_due, cur)),
    ]
    return [(_latin1(a), _latin1(b)) for a, b in rows]


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _vat_summary(lines: list[FolioLine]) -> list[tuple[Decimal, Decimal]]:
    """VAT included, per rate, over the lines that count (voided extras do not)."""
    rates: dict[Decimal, Decimal] = {}
    for line in lines:
        if line.vat_percent is not None and line.vat_amount and not line.voided:
            rates[line.vat_percent] = rates.get(line.vat_percent, Decimal(0)) + line.vat_amount
    return sorted(rates.items())


def invoice_issue(
    *, booking: Booking, actor: User | None, settlement: str, reason: str = ""
) -> Invoice:
    """Number and store the folio as it is now. Call inside the transaction that settles it
    (the check-out), so a rollback gives the number back."""
    folio = folio_build(booking)
    prop = booking.property
    now = timezone.now()
    year = now.astimezone(prop.zone).year
    sequence = next_sequence(prop.pk, year, counter=InvoiceCounter)
    number = f"{prop.slug.upper()}-INV-{year}-{sequence:06d}"
    when = now.astimezone(prop.zone).strftime("%Y-%m-%d %H:%M")
    title = f"{prop.name}: invoice {number}"
    html = render_to_string(
        "payments/invoice.html",
        {
            "title": title,
            "number": number,
            "when": when,
            "folio": folio,
            "booking": booking,
            "vat": _vat_summary(folio.lines),
            "settlement": Settlement(settlement).label,
            "reason": reason,
        },
    )
    pdf = pdf_document(_pdf_rows(folio, number, when), _latin1(title))
    return Invoice.objects.create(
        property=prop,
        booking=booking,
        year=year,
        sequence=sequence,
        number=number,
        settlement=settlement,
        reason=reason[:300],
        charged=folio.charged,
        paid=folio.paid,
        balance=folio.balance_due,
        currency=folio.currency,
        lines=[line.as_json() for line in folio.lines],
        html=html,
        pdf=pdf,
        html_sha256=sha256_hex(html),
        pdf_sha256=sha256_hex(pdf),
        issued_by=actor,
    )


def statement_issue(*, reference: str, actor: User, source: str = "api") -> Invoice:
    """Staff: a fresh numbered statement of a stay's folio (after a late payment, say)."""
    with transaction.atomic():
        booking = folio_booking_lock(reference=reference, actor=actor)
        invoice = invoice_issue(booking=booking, actor=actor, settlement=Settlement.STATEMENT)
        audit_log(
            "folio.statement_issued",
            actor=actor,
            target=booking.reference,
            source=source,
            details={"invoice": invoice.number, "balance": str(invoice.balance)},
        )
    return invoice


def invoice_get(*, number: str, user: User) -> Invoice:
    invoice = Invoice.objects.select_related("booking").filter(number=number.upper()).first()
    if invoice is None or (not user.is_staff and invoice.booking.guest_id != user.pk):
        raise NotFound(f"No invoice {number}.", code="invoice_not_found")
    return invoice
