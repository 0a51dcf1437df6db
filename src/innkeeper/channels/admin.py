"""Imported channel calendars in the admin, read-only: feeds are added and removed with
`innkeeper channels add|remove`, and only the sync writes blocks and conflicts."""

from __future__ import annotations

from django.contrib import admin

from innkeeper.bookings.models import RoomBlock
from innkeeper.channels.models import CalendarFeed, ChannelConflict
from innkeeper.core.admin import ReadOnlyAdmin


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ("id", "room", "channel", "is_active", "last_success_at", "last_error_code")
    list_filter = ("channel", "is_active")
    exclude = ("url", "etag")  # the URL carries the channel's secret token


@admin.register(ChannelConflict)
class ChannelConflictAdmin(ReadOnlyAdmin):
    list_display = ("id", "status", "room", "feed", "start", "end", "booking", "created_at")
    list_filter = ("status",)


@admin.register(RoomBlock)
class RoomBlockAdmin(ReadOnlyAdmin):
    list_display = ("room", "start", "end", "source", "summary", "origin")
    list_filter = ("source",)
