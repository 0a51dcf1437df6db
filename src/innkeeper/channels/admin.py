"""Imported channel calendars in the admin, read-only: feeds are added and removed with
`innkeeper channels add|remove`, and only the sync writes blocks and conflicts."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from innkeeper.bookings.models import RoomBlock
from innkeeper.channels.models import CalendarFeed, ChannelConflict


class ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnly):
    list_display = ("id", "room", "channel", "is_active", "last_success_at", "last_error_code")
    list_filter = ("channel", "is_active")
    exclude = ("url", "etag")  # the URL carries the channel's secret token


@admin.register(ChannelConflict)
class ChannelConflictAdmin(ReadOnly):
    list_display = ("id", "status", "room", "feed", "start", "end", "booking", "created_at")
    list_filter = ("status",)


@admin.register(RoomBlock)
class RoomBlockAdmin(ReadOnly):
    list_display = ("room", "start", "end", "source", "summary", "origin")
    list_filter = ("source",)
