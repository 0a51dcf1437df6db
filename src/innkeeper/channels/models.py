from __future__ import annotations

from django.db import models

from innkeeper.core.models import TimeStampedModel
from innkeeper.rooms.models import Room, RoomType


class CalendarExport(TimeStampedModel):
    """The secret iCal export URL of one room or one room type, handed to booking channels.

    Only the SHA-256 of the token is kept: the URL is shown once, when it is issued or
    rotated, and a copy of the database does not hand out working feed URLs.
    """

    room = models.OneToOneField(
        Room, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_export"
    )
    room_type = models.OneToOneField(
        RoomType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_export",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(room__isnull=False, room_type__isnull=True)
                    | models.Q(room__isnull=True, room_type__isnull=False)
                ),
                name="calendar_export_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def subject(self) -> str:
        """`room:ID` or `room_type:ID`: the audit target."""
        if self.room_id is not None:
            return f"room:{self.room_id}"
        return f"room_type:{self.room_type_id}"


class CalendarFeed(TimeStampedModel):
    """An external calendar (a channel's iCal export URL) whose events block one room.

    The sync state lives on the row: what the last good fetch held (its events, the blocks
    they became, the validators for a conditional GET) and the last error, if any."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="calendar_feeds")
    channel = models.CharField(max_length=60)
    url = models.URLField(max_length=2000)
    is_active = models.BooleanField(default=True)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_sync_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error_code = models.CharField(max_length=60, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    events = models.PositiveIntegerField(default=0)
    blocks = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["room_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["room", "url"], name="calendar_feed_room_url_unique")
        ]

    def __str__(self) -> str:
        return f"feed {self.pk} ({self.channel}, room {self.room_id})"

    @property
    def origin(self) -> str:
        """The `origin` of this feed's RoomBlocks."""
        return f"feed:{self.pk}"

    @property
    def failing(self) -> bool:
        """The last attempt failed (the blocks are those of the last good fetch)."""
        if self.last_error_at is None:
            return False
        return self.last_success_at is None or self.last_error_at > self.last_success_at


class FeedEvent(models.Model):
    """One event (or occurrence) of a feed's last good fetch, as nights [start, end): what
    each sync turns into blocks and conflicts, also when the feed answers 304."""

    feed = models.ForeignKey(CalendarFeed, on_delete=models.CASCADE, related_name="feed_events")
    key = models.CharField(max_length=300)
    start = models.DateField()
    end = models.DateField()
    summary = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["feed", "key"], name="feed_event_key_unique"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="feed_event_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.start}..{self.end}"


class ConflictStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class ChannelConflict(TimeStampedModel):
    """An imported event that wants nights an active booking already holds. Neither side is
    dropped: the booking stays, the event's other nights are blocked, and this row stays open
    until staff move or cancel one of them (the next sync then resolves it)."""

    feed = models.ForeignKey(CalendarFeed, on_delete=models.CASCADE, related_name="conflicts")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.CASCADE, related_name="channel_conflicts"
    )
    event_key = models.CharField(max_length=300)
    start = models.DateField()
    end = models.DateField()
    summary = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=ConflictStatus.choices, default=ConflictStatus.OPEN
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "event_key", "booking"],
                condition=models.Q(status="open"),
                name="channel_conflict_one_open",
            ),
        ]
        indexes = [models.Index(fields=["status", "start"], name="channel_conflict_status")]

    def __str__(self) -> str:
        return f"conflict {self.pk}: feed {self.feed_id} vs booking {self.booking_id}"
