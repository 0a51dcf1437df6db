"""A stored receipt or invoice as an HTTP download, the same bytes and checksum for the API
and pages."""

from __future__ import annotations

from django.http import HttpResponse

from innkeeper.payments.models import Invoice, Receipt


def receipt_response(receipt: Receipt | Invoice, *, as_html: bool) -> HttpResponse:
    """The stored receipt, byte for byte, with its checksum in `X-Checksum-SHA256`."""
    if as_html:
        response = HttpResponse(receipt.html, content_type="text/html; charset=utf-8")
        response["X-Checksum-SHA256"] = receipt.html_sha256
        return response
    response = HttpResponse(bytes(receipt.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{receipt.number}.pdf"'
    response["X-Checksum-SHA256"] = receipt.pdf_sha256
    return response
