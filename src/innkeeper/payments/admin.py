"""Admin: payments, ledger and receipts are read-only records (policies: rooms admin)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from innkeeper.payments.models import LedgerEntry, Payment, Receipt


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
