"""Bookings in the admin. Every write goes through the booking services, never a raw save."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from innkeeper.bookings import services
from innkeeper.bookings.models import Booking, BookingEvent
from innkeeper.core.errors import ApplicationError
from innkeeper.flows.cancel_then_refund import booking_cancel_then_refund
from innkeeper.flows.settle_then_check_out import booking_check_out_settled


class BookingCreateForm(forms.ModelForm[Booking]):
    """Creates the booking through `booking_create` while validating, so a taken room or a
    bad date shows up as a form error, not as a server error."""

    request: HttpRequest
    created: Booking | None = None

    class Meta:
        model = Booking
        fields = (
            "room",
            "guest",
            "guest_name",
            "guest_email",
            "guest_phone",
            "guests",
            "check_in",
            "check_out",
            "notes",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.created = services.booking_create(
                room_id=data["room"].pk,
                check_in=data["check_in"],
                check_out=data["check_out"],
                guests=data["guests"],
                created_by=self.request.user,  # type: ignore[arg-type]
                guest=data.get("guest"),
                guest_name=data.get("guest_name", ""),
                guest_email=data.get("guest_email", ""),
                guest_phone=data.get("guest_phone", ""),
                notes=data.get("notes", ""),
            )
        except ApplicationError as error:
            raise forms.ValidationError(error.detail, code=error.code) from error
        return data


class BookingEventInline(admin.TabularInline[BookingEvent, Booking]):
    model = BookingEvent
    extra = 0
    can_delete = False
    readonly_fields = ("created_at", "action", "from_status", "to_status", "actor", "note")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _bulk(
    action: Callable[..., Booking], label: str
) -> Callable[[admin.ModelAdmin[Booking], HttpRequest, QuerySet[Booking]], None]:
    def run(
        modeladmin: admin.ModelAdmin[Booking],
        request: HttpRequest,
        queryset: QuerySet[Booking],
    ) -> None:
        done = 0
        for booking in queryset:
            try:
                action(reference=booking.reference, actor=request.user)
                done += 1
            except ApplicationError as error:
                modeladmin.message_user(
                    request, f"{booking.reference}: {error.detail}", messages.ERROR
                )
        if done:
            modeladmin.message_user(request, f"{label}: {done} booking(s).", messages.SUCCESS)

    run.__name__ = f"action_{label.lower().replace(' ', '_').replace('-', '_')}"
    run.short_description = label  # type: ignore[attr-defined]
    return run


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin[Booking]):
    list_display = (
        "reference",
        "status",
        "room",
        "guest_name",
        "check_in",
        "check_out",
        "guests",
        "total_price",
        "created_at",
    )
    list_filter = ("status", "property", "check_in")
    search_fields = ("reference", "guest_name", "guest_email")
    date_hierarchy = "check_in"
    inlines = (BookingEventInline,)
    actions = (
        _bulk(services.booking_confirm, "Confirm"),
        _bulk(booking_cancel_then_refund, "Cancel"),
        _bulk(services.booking_check_in, "Check in"),
        # Refused while the folio has a balance due (the desk page takes it or invoices it).
        _bulk(booking_check_out_settled, "Check out"),
        _bulk(services.booking_mark_no_show, "Mark no-show"),
    )

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is not None:
            return super().get_form(request, obj, change, **kwargs)
        kwargs["form"] = BookingCreateForm
        form_class: Any = super().get_form(request, obj, change, **kwargs)
        form_class.request = request
        return form_class

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        # Existing bookings change only through the actions (which run the services).
        return [f.name for f in Booking._meta.fields]

    def save_model(self, request: HttpRequest, obj: Booking, form: Any, change: bool) -> None:
        if change or form.created is None:
            return
        obj.pk, obj.reference = form.created.pk, form.created.reference

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cancel instead: deleting a booking would erase its history
