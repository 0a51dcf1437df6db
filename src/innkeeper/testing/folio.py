"""Test support for the folio: a guest in the house, a small catalogue of extras."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking
from innkeeper.bookings.services import booking_check_in, booking_create
from innkeeper.payments.models import ExtraItem
from innkeeper.rooms.models import PaymentPolicy, Property, Room


def taxed_policy(prop: Property) -> PaymentPolicy:
    """2.50 tourist tax per person-night and 10 % VAT, no deposit (bookings confirm at once)."""
    return PaymentPolicy.objects.create(
        property=prop,
        tourist_tax_per_person_night=Decimal("2.50"),
        vat_percent=Decimal("10"),
        deposit_kind="none",
    )


def catalogue(prop: Property) -> dict[str, ExtraItem]:
    """Breakfast at the policy's VAT, the minibar at 20 %, laundry retired."""
    items = [
        ExtraItem(property=prop, code="breakfast", name="Breakfast", unit_price=Decimal("12.50")),
        ExtraItem(
            property=prop,
            code="minibar",
            name="Minibar",
            unit_price=Decimal("8.00"),
            vat_percent=Decimal("20"),
        ),
        ExtraItem(
            property=prop,
            code="late-check-out",
            name="Late check-out",
            unit_price=Decimal("30.00"),
        ),
        ExtraItem(
            property=prop, code="laundry", name="Laundry", unit_price=Decimal("9"), active=False
        ),
    ]
    return {item.code: item for item in ExtraItem.objects.bulk_create(items)}


def in_house(
    room: Room, guest: User, staff: User, today: date, *, nights: int = 2, name: str = ""
) -> Booking:
    """A booking from today, checked in by `staff` (two guests)."""
    booking = booking_create(
        room_id=room.pk,
        check_in=today,
        check_out=today + timedelta(days=nights),
        guests=2,
        created_by=guest,
        guest=guest,
        guest_name=name or "Youssef Benali",
    )
    return booking_check_in(reference=booking.reference, actor=staff)
