from __future__ import annotations

from django.contrib import admin

from innkeeper.rooms.models import Property, Room, RoomType


@admin.register(Property)
class PropertyAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "time_zone", "currency", "instant_booking")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(RoomType)
class RoomTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "property", "capacity", "nightly_rate")
    list_filter = ("property",)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("number", "room_type", "property", "is_active")
    list_filter = ("property", "room_type", "is_active")
    search_fields = ("number",)
