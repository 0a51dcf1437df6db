from __future__ import annotations

import zoneinfo
from datetime import time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from innkeeper.core.models import TimeStampedModel


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone such as Africa/Casablanca.")


class Property(TimeStampedModel):
    """A hotel, riad, guesthouse or hostel."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    currency = models.CharField(max_length=3, default="EUR")
    check_in_time = models.TimeField(default=time(15, 0))
    check_out_time = models.TimeField(default=time(11, 0))
    address = models.CharField(max_length=300, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True)
    # Instant booking: a new booking is confirmed at once instead of waiting for staff.
    instant_booking = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "properties"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class RoomType(TimeStampedModel):
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="room_types")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    capacity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    nightly_rate = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["property_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["property", "name"], name="room_type_name_unique"),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="room_type_capacity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(nightly_rate__gte=0), name="room_type_rate_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.property.name})"


class Room(TimeStampedModel):
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="rooms")
    room_type = models.ForeignKey(RoomType, on_delete=models.PROTECT, related_name="rooms")
    number = models.CharField(max_length=20)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["property_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["property", "number"], name="room_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Room {self.number}"


class RoomTypePhoto(TimeStampedModel):
    """A photo of a room type, uploaded by staff; resized copies are made on save."""

    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="photos")
    original = models.ImageField(upload_to="rooms/originals/")
    alt_text = models.CharField(
        max_length=200, help_text="What the photo shows, for people who cannot see it."
    )
    position = models.PositiveSmallIntegerField(default=0)
    # Resized copies (paths under MEDIA_ROOT); names carry a content hash, so they cache forever.
    large = models.CharField(max_length=300, blank=True, editable=False)
    medium = models.CharField(max_length=300, blank=True, editable=False)
    thumb = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["room_type_id", "position", "id"]

    def __str__(self) -> str:
        return self.alt_text


class DepositKind(models.TextChoices):
    NONE = "none", "No deposit"
    FIRST_NIGHT = "first_night", "First night"
    PERCENTAGE = "percentage", "Percentage of the stay"
    FIXED = "fixed", "Fixed amount"
    FULL = "full", "Full stay"


class LateCancelKind(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage of the stay"
    FIRST_NIGHT = "first_night", "First night"


class PaymentPolicy(models.Model):
    """Per property: taxes, deposit and cancellation. A property without one uses defaults.

    A money rule, so it lives with the rates (rooms) below bookings and payments; its table
    keeps the name it had when payments owned it (moved without touching the data)."""

    property = models.OneToOneField(
        Property, on_delete=models.CASCADE, related_name="payment_policy"
    )
    tourist_tax_per_person_night = models.DecimalField(
        default=Decimal(0), max_digits=12, decimal_places=3
    )
    vat_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))
    deposit_kind = models.CharField(
        max_length=20, choices=DepositKind.choices, default=DepositKind.NONE
    )
    deposit_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))
    deposit_amount = models.DecimalField(
        max_digits=12,
        decimal_places=3,
        default=Decimal(0),
        # A database default too: the previous release's code inserts policies without this
        # column during a rolling deploy (expand-only migration).
        db_default=Decimal(0),
        help_text="The deposit when its kind is 'Fixed amount' (never more than the stay).",
    )
    free_cancellation_hours = models.PositiveIntegerField(default=48)
    late_cancel_kind = models.CharField(
        max_length=20, choices=LateCancelKind.choices, default=LateCancelKind.FIRST_NIGHT
    )
    late_cancel_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))

    class Meta:
        db_table = "payments_paymentpolicy"
        verbose_name_plural = "payment policies"

    def __str__(self) -> str:
        return f"Payment policy of {self.property}"
