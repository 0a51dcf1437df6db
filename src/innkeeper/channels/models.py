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
