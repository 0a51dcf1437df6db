"""Admin: payments, ledger, receipts, posted extras and invoices are read-only records
(policies: rooms admin); managers keep each property's catalogue of extras here."""

from __future__ import annotations

from django.contrib import admin

from innkeeper.core.admin import ReadOnlyAdmin
from innkeeper.payments.models import (
    ExtraItem,
    FolioCharge,
    Invoice,
    LedgerEntry,
    Payment,
    Receipt,
)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "booking", "kind", "amount", "settled", "currency", "provider"]
    list_filter = ["kind", "provider"]
    search_fields = ["booking__reference", "provider_ref"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "booking", "purpose", "provider", "amount", "status"]
    list_filter = ["status", "provider", "purpose"]
    search_fields = ["booking__reference", "provider_ref", "uid"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["number", "booking", "created_at"]
    exclude = ["pdf"]
    search_fields = ["number", "booking__reference"]


@admin.register(ExtraItem)
class ExtraItemAdmin(admin.ModelAdmin[ExtraItem]):
    """The catalogue staff post from (breakfast, minibar, laundry, late check-out). Prices
    include VAT; a blank VAT uses the property's policy rate. Posted extras keep the price
    they were posted at; retire an item by unticking `active` (posted ones refer to it)."""

    list_display = ["name", "code", "property", "unit_price", "vat_percent", "active"]
    list_filter = ["property", "active"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(FolioCharge)
class FolioChargeAdmin(ReadOnlyAdmin):
    list_display = ["posted_at", "booking", "description", "quantity", "amount", "voided_at"]
    list_filter = ["voided_at"]
    search_fields = ["booking__reference", "description"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "booking", "settlement", "balance", "currency", "created_at"]
    list_filter = ["settlement"]
    exclude = ["pdf"]
    search_fields = ["number", "booking__reference"]
