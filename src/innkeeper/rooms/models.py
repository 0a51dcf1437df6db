from __future__ import annotations

import zoneinfo
from datetime import time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
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


# Nights of the week by `date.weekday()` (Monday 0): a night belongs to the day it starts on.
WEEKDAYS = "0123456"
DEFAULT_WEEKEND_NIGHTS = "45"  # Friday and Saturday nights


def validate_weekend_nights(value: str) -> None:
    if any(ch not in WEEKDAYS for ch in value) or len(set(value)) != len(value):
        raise ValidationError("Weekend nights are weekday digits, Monday 0 to Sunday 6 (e.g. 45).")


class RatePlan(TimeStampedModel):
    """How a room type's nightly rate varies. The base rate stays `RoomType.nightly_rate`, so a
    room type without a plan (all data from before rates existed) keeps its price."""

    room_type = models.OneToOneField(RoomType, on_delete=models.CASCADE, related_name="rate_plan")
    weekend_rate = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Rate of a weekend night outside seasons; empty: the base rate.",
    )
    weekend_nights = models.CharField(
        max_length=7,
        default=DEFAULT_WEEKEND_NIGHTS,
        blank=True,
        validators=[validate_weekend_nights],
        help_text="Nights that count as weekend, by the day they start: Monday 0 … Sunday 6.",
    )
    base_occupancy = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Guests the rate includes; empty: the room type's capacity (no extra charge).",
    )
    extra_person_rate = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Per night, for each guest above the base occupancy.",
    )

    def __str__(self) -> str:
        return f"Rate plan of {self.room_type}"


class RateSeason(TimeStampedModel):
    """Nights [first_night, last_night] (both included) sold at their own rate. Seasons of one
    room type never overlap (checked by `rooms.rates_services`)."""

    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="rate_seasons")
    name = models.CharField(max_length=80)
    first_night = models.DateField()
    last_night = models.DateField()
    nightly_rate = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    weekend_rate = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Weekend nights in this season; empty: the season's rate.",
    )

    class Meta:
        ordering = ["room_type_id", "first_night"]
        indexes = [models.Index(fields=["room_type", "first_night"], name="rate_season_by_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_night__gte=models.F("first_night")),
                name="rate_season_dates_ordered",
                violation_error_message="The last night is before the first night.",
            ),
            models.CheckConstraint(
                condition=models.Q(nightly_rate__gte=0), name="rate_season_rate_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.first_night} to {self.last_night})"


class StayDiscount(TimeStampedModel):
    """A length-of-stay discount: stays of at least `min_nights` get `percent` off the room
    (the largest discount a stay qualifies for applies, never two)."""

    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="stay_discounts")
    min_nights = models.PositiveSmallIntegerField(validators=[MinValueValidator(2)])
    percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["room_type_id", "min_nights"]
        constraints = [
            models.UniqueConstraint(
                fields=["room_type", "min_nights"], name="stay_discount_nights_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.percent}% from {self.min_nights} nights"


class StayRule(TimeStampedModel):
    """Restrictions on dates [first_date, last_date] (both included) of one room type.

    `min_stay`/`max_stay` and `closed_to_arrival` apply to stays arriving on those dates,
    `closed_to_departure` to stays leaving on them, `closed` (stop-sell) to every night on
    them. Rules may overlap: the strictest wins."""

    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="stay_rules")
    first_date = models.DateField()
    last_date = models.DateField()
    min_stay = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    max_stay = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    closed_to_arrival = models.BooleanField(default=False)
    closed_to_departure = models.BooleanField(default=False)
    closed = models.BooleanField(default=False, help_text="Stop-sell: no night on these dates.")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["room_type_id", "first_date", "id"]
        indexes = [models.Index(fields=["room_type", "first_date"], name="stay_rule_by_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_date__gte=models.F("first_date")),
                name="stay_rule_dates_ordered",
                violation_error_message="The last date is before the first date.",
            ),
            models.CheckConstraint(
                condition=models.Q(min_stay__isnull=True)
                | models.Q(max_stay__isnull=True)
                | models.Q(min_stay__lte=models.F("max_stay")),
                name="stay_rule_min_not_above_max",
                violation_error_message="The minimum stay is above the maximum stay.",
            ),
        ]

    def __str__(self) -> str:
        return f"Rule {self.first_date} to {self.last_date}"
