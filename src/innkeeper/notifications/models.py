from __future__ import annotations

from django.db import models


class SentEmailStatus(models.TextChoices):
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"


class SentEmail(models.Model):
    """One row per email that must go out at most once, keyed by booking and event.

    The row is claimed (status `sending`) before the SMTP conversation and marked `sent`
    after it, so a job that runs twice finds the row and sends nothing. A claim left by a
    dead worker expires after JOBS_VISIBILITY_TIMEOUT_SECONDS and may then be taken over.
    """

    key = models.CharField(max_length=120, unique=True)
    booking = models.ForeignKey(
        "bookings.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40)
    to = models.EmailField()
    subject = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=SentEmailStatus.choices, default=SentEmailStatus.SENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-claimed_at"]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
