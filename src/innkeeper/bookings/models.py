from __future__ import annotations

import builtins

from django.conf import settings
from django.db import models

from innkeeper.core.models import TimeStampedModel
from innkeeper.rooms.models import LateCancelKind, Property, Room


class BookingStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed"
    CHECKED_IN = "checked_in", "Checked in"
    CHECKED_OUT = "checked_out", "Checked out"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"
    EXPIRED = "expired", "Expired"


# Bookings in these statuses hold their room; the database refuses two that overlap.
ACTIVE_STATUSES: tuple[str, ...] = (
    BookingStatus.PENDING,
    BookingStatus.CONFIRMED,
    BookingStatus.CHECKED_IN,
)

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    BookingStatus.PENDING: frozenset(
        {BookingStatus.CONFIRMED, BookingStatus.CANCELLED, BookingStatus.EXPIRED}
    ),
    BookingStatus.CONFIRMED: frozenset(
        {BookingStatus.CHECKED_IN, BookingStatus.CANCELLED, BookingStatus.NO_SHOW}
    ),
    BookingStatus.CHECKED_IN: frozenset({BookingStatus.CHECKED_OUT}),
    BookingStatus.CHECKED_OUT: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
    BookingStatus.NO_SHOW: frozenset(),
    BookingStatus.EXPIRED: frozenset(),
}


class Booking(TimeStampedModel):
    """A stay of one party in one room over the half-open date range [check_in, check_out)."""

    reference = models.CharField(max_length=16, unique=True)
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="bookings")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings")
    guest = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
    )
    guest_name = models.CharField(max_length=200)
    guest_email = models.EmailField()
    guest_phone = models.CharField(max_length=40, blank=True)
    guests = models.PositiveSmallIntegerField()
    check_in = models.DateField()
    check_out = models.DateField()
    nights = models.PositiveSmallIntegerField()
    total_price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20, choices=BookingStatus.choices, default=BookingStatus.PENDING
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["check_in", "room_id"]
        indexes = [
            models.Index(fields=["room", "check_in", "check_out"], name="booking_room_dates"),
            models.Index(fields=["status", "check_in"], name="booking_status_check_in"),
            models.Index(fields=["status", "expires_at"], name="booking_status_expires"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(check_out__gt=models.F("check_in")),
                name="booking_check_out_after_check_in",
            ),
            models.CheckConstraint(
                condition=models.Q(guests__gte=1), name="booking_guests_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in BookingStatus]),
                name="booking_status_known",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @builtins.property  # the `property` field shadows the builtin in this class body
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class BookingEvent(models.Model):
    """The booking's history: every status change, who made it and when."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.booking_id} {self.action}"


class BookingCharges(models.Model):
    """The price and policy of a booking as they were when it was made; never recomputed.

    Written by `booking_create` from `rooms.pricing.stay_quote`; its table keeps the name it
    had when payments owned it (moved without touching the data)."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="charges")
    currency = models.CharField(max_length=3)
    room_subtotal = models.DecimalField(max_digits=12, decimal_places=3)
    tourist_tax = models.DecimalField(max_digits=12, decimal_places=3)
    vat_percent = models.DecimalField(max_digits=5, decimal_places=2)
    vat_amount = models.DecimalField(max_digits=12, decimal_places=3)
    total = models.DecimalField(max_digits=12, decimal_places=3)
    first_night = models.DecimalField(max_digits=12, decimal_places=3)
    deposit_due = models.DecimalField(max_digits=12, decimal_places=3)
    free_cancellation_hours = models.PositiveIntegerField()
    late_cancel_kind = models.CharField(max_length=20, choices=LateCancelKind.choices)
    late_cancel_percent = models.DecimalField(max_digits=5, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "payments_bookingcharges"
        verbose_name_plural = "booking charges"

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.total} {self.currency}"


class RoomBlock(TimeStampedModel):
    """Nights [start, end) a room cannot be sold, held by something other than a booking: an
    event imported from a booking channel's calendar (channels.sync), keyed by its `origin`.

    Blocks and active bookings of one room never overlap: the database refuses either over
    the other (bookings.block_integrity); blocks may overlap each other (two channels
    often show the same nights closed)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="blocks")
    start = models.DateField()
    end = models.DateField()
    # Who owns the block ("feed:12"): the owner replaces its own blocks, never others'.
    origin = models.CharField(max_length=60)
    source = models.CharField(max_length=60)  # shown to staff: the channel's name
    external_uid = models.CharField(max_length=300)
    summary = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start", "room_id"]
        indexes = [
            models.Index(fields=["room", "start", "end"], name="roomblock_room_dates"),
            models.Index(fields=["origin"], name="roomblock_origin"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="roomblock_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.start}..{self.end} room {self.room_id}"
