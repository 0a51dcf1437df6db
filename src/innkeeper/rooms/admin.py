"""Rooms in the admin; room writes go through the room services like the API's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.forms import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html

from innkeeper.core.errors import ApplicationError
from innkeeper.rooms import rates_admin, services
from innkeeper.rooms.models import PaymentPolicy, Property, Room, RoomType, RoomTypePhoto
from innkeeper.rooms.photos import photo_clean_original, room_type_photo_resize

__all__ = ["rates_admin"]  # registers the rates and stay rules admin


@admin.register(Property)
class PropertyAdmin(admin.ModelAdmin[Property]):
    list_display = ("name", "slug", "time_zone", "currency", "instant_booking")
    prepopulated_fields = {"slug": ("name",)}


class RoomTypePhotoForm(forms.ModelForm[RoomTypePhoto]):
    """Checks an upload before anything is stored (size, pixels, readable) and keeps only a
    metadata-free re-encoding of it: no camera GPS position is ever stored or served."""

    class Meta:
        model = RoomTypePhoto
        fields = ("original", "alt_text", "position")

    def clean_original(self) -> Any:
        upload = self.cleaned_data.get("original")
        if upload is None or "original" not in self.changed_data:
            return upload
        upload.seek(0)
        try:
            return photo_clean_original(upload, name=upload.name or "photo")
        except ApplicationError as error:
            raise forms.ValidationError(error.detail, code=error.code) from error


class RoomTypePhotoInline(admin.TabularInline[RoomTypePhoto, RoomType]):
    model = RoomTypePhoto
    form = RoomTypePhotoForm
    extra = 1
    fields = ("original", "alt_text", "position", "preview")
    readonly_fields = ("preview",)

    @admin.display(description="Resized")
    def preview(self, photo: RoomTypePhoto) -> str:
        if not photo.thumb:
            return "made on save"
        return format_html('<img src="{}{}" alt="" width="120">', settings.MEDIA_URL, photo.thumb)


@admin.register(RoomType)
class RoomTypeAdmin(admin.ModelAdmin[RoomType]):
    list_display = ("name", "property", "capacity", "nightly_rate")
    list_filter = ("property",)
    inlines = [RoomTypePhotoInline]

    def save_formset(
        self,
        request: HttpRequest,
        form: object,
        formset: BaseInlineFormSet[RoomType, RoomTypePhoto, Any],
        change: bool,
    ) -> None:
        super().save_formset(request, form, formset, change)
        # Resize only photos whose original was just uploaded or replaced.
        changed = [obj for obj, fields in formset.changed_objects if "original" in fields]
        for photo in formset.new_objects + changed:
            if isinstance(photo, RoomTypePhoto):
                room_type_photo_resize(photo=photo)


class RoomForm(forms.ModelForm[Room]):
    """Saves through `room_create`/`room_update` while validating, so errors land on the form."""

    class Meta:
        model = Room
        fields = ("room_type", "number", "is_active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            if self.instance.pk:
                saved = services.room_update(
                    room_id=self.instance.pk,
                    number=data["number"],
                    room_type_id=data["room_type"].pk,
                    is_active=data["is_active"],
                )
            else:
                saved = services.room_create(
                    room_type_id=data["room_type"].pk,
                    number=data["number"],
                    is_active=data["is_active"],
                )
        except ApplicationError as error:
            raise forms.ValidationError(error.detail, code=error.code) from error
        self.instance = saved
        return data


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin[Room]):
    form = RoomForm
    list_display = ("number", "room_type", "property", "is_active")
    list_filter = ("property", "room_type", "is_active")
    search_fields = ("number",)

    def save_model(self, request: HttpRequest, obj: Room, form: Any, change: bool) -> None:
        obj.pk = form.instance.pk  # already saved by the service during validation


@admin.register(PaymentPolicy)
class PaymentPolicyAdmin(admin.ModelAdmin[PaymentPolicy]):
    list_display = ["property", "deposit_kind", "free_cancellation_hours", "vat_percent"]
