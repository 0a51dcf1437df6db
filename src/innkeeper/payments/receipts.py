"""Receipts: one per ledger entry that moved money, numbered without gaps per property/year."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.template.loader import render_to_string

from innkeeper.core.ids import sha256_hex
from innkeeper.payments.models import InvoiceCounter, Receipt, ReceiptCounter

if TYPE_CHECKING:
    from innkeeper.payments.models import LedgerEntry


def next_sequence(
    property_id: int, year: int, *, counter: type[ReceiptCounter | InvoiceCounter] = ReceiptCounter
) -> int:
    """Take the next number under a row lock; a rollback gives the number back (no gaps).
    Receipts and invoices each count in their own series (`counter`), the same way."""
    counter.objects.get_or_create(property_id=property_id, year=year)
    row = counter.objects.select_for_update().get(property_id=property_id, year=year)
    row.last_number += 1
    row.save(update_fields=["last_number"])
    return row.last_number


def pdf_document(lines: list[tuple[str, str]], title: str) -> bytes:
    from fpdf import FPDF  # heavy (fonts); only needed when a receipt is issued

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for label, value in lines:
        pdf.cell(70, 8, label)
        pdf.cell(0, 8, value, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def receipt_issue(*, entry: LedgerEntry) -> Receipt:
    booking = entry.booking
    charges = booking.charges
    year = entry.created_at.astimezone(booking.property.zone).year
    sequence = next_sequence(booking.property_id, year)
    number = f"{booking.property.slug.upper()}-{year}-{sequence:06d}"
    kind = "Refund" if entry.settled < 0 else "Payment"
    if entry.kind == "refund_reversed":
        kind = "Refund reversal"  # the refund failed: the money is back with the property
    lines = [
        ("Receipt", number),
        ("Date", entry.created_at.astimezone(booking.property.zone).strftime("%Y-%m-%d %H:%M")),
        ("Booking", booking.reference),
        ("Guest", booking.guest_name),
        ("Stay", f"{booking.check_in} to {booking.check_out} ({booking.nights} nights)"),
        ("Rooms (VAT incl.)", f"{charges.room_subtotal} {charges.currency}"),
        (f"VAT {charges.vat_percent}% included", f"{charges.vat_amount} {charges.currency}"),
        ("Tourist tax", f"{charges.tourist_tax} {charges.currency}"),
        ("Stay total", f"{charges.total} {charges.currency}"),
        (f"{kind} ({entry.provider})", f"{entry.amount} {entry.currency}"),
    ]
    title = f"{booking.property.name}: {kind.lower()} receipt"
    html = render_to_string("payments/receipt.html", {"title": title, "lines": lines})
    pdf = pdf_document(lines, title)
    return Receipt.objects.create(
        property_id=booking.property_id,
        booking=booking,
        entry=entry,
        year=year,
        sequence=sequence,
        number=number,
        html=html,
        pdf=pdf,
        html_sha256=sha256_hex(html),
        pdf_sha256=sha256_hex(pdf),
    )
