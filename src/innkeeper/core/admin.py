from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from innkeeper.core.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Records the admin shows but never edits (ledger, audit, imported calendars): their
    services are the only writers."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "actor_label", "target", "source")
    list_filter = ("action", "source")
    search_fields = ("action", "actor_label", "target")
    readonly_fields = (
        "created_at",
        "action",
        "actor",
        "actor_label",
        "target",
        "source",
        "details",
    )
