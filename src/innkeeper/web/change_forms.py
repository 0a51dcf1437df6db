"""The change-a-booking form (guest page and desk): field checks only; the rules are the
service's (bookings.change_rules)."""

from __future__ import annotations

from typing import Any

from django import forms

from innkeeper.bookings.change_rules import ChangeRequest
from innkeeper.bookings.models import Booking
from innkeeper.rooms.models import Room, RoomType
from innkeeper.web.forms import MAX_PARTY, DateInput

KEEP = ""


class ChangeForm(forms.Form):
    check_in = forms.DateField(label="Check-in", widget=DateInput)
    check_out = forms.DateField(label="Check-out", widget=DateInput)
    guests = forms.IntegerField(label="Guests", min_value=1, max_value=MAX_PARTY)
    room_type = forms.TypedChoiceField(
        label="Room type", coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, booking: Booking, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "check_in": booking.check_in,
                "check_out": booking.check_out,
                "guests": booking.guests,
            },
        )
        super().__init__(*args, **kwargs)
        self.booking = booking
        types = RoomType.objects.filter(property_id=booking.property_id).order_by("name")
        current = booking.room.room_type
        field = self.fields["room_type"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(KEEP, f"Keep {current.name}")] + [
            (t.pk, f"{t.name} (sleeps {t.capacity})") for t in types if t.pk != current.pk
        ]

    def change_request(self) -> ChangeRequest:
        data = self.cleaned_data
        return ChangeRequest(
            check_in=data.get("check_in"),
            check_out=data.get("check_out"),
            guests=data.get("guests"),
            room_type_id=data.get("room_type"),
        )


class DeskChangeForm(ChangeForm):
    """Staff also pick the exact room, move in-house guests, and may waive the price change."""

    room = forms.TypedChoiceField(label="Room", coerce=int, empty_value=None, required=False)
    keep_price = forms.BooleanField(
        label="Keep the price (a move for the hotel's reasons)", required=False
    )
    reason = forms.CharField(label="Reason (history)", max_length=300, required=False)

    def __init__(self, *args: Any, booking: Booking, **kwargs: Any) -> None:
        super().__init__(*args, booking=booking, **kwargs)
        rooms = Room.objects.filter(property_id=booking.property_id, is_active=True)
        room = self.fields["room"]
        assert isinstance(room, forms.TypedChoiceField)
        room.choices = [(KEEP, f"Keep room {booking.room.number}")] + [
            (r.pk, f"{r.number} · {r.room_type.name}")
            for r in rooms.select_related("room_type").order_by("number")
            if r.pk != booking.room_id
        ]
        if booking.status == "checked_in":
            # In-house: only the room moves (the service says so too).
            for name in ("check_in", "check_out", "guests"):
                del self.fields[name]

    def change_request(self) -> ChangeRequest:
        base = super().change_request()
        data = self.cleaned_data
        return ChangeRequest(
            check_in=base.check_in,
            check_out=base.check_out,
            guests=base.guests,
            room_type_id=base.room_type_id,
            room_id=data.get("room"),
            keep_price=bool(data.get("keep_price")),
            reason=data.get("reason") or "",
        )
