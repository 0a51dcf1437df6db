"""Form fields and their first checks; the booking rules themselves live in the services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms

from innkeeper.core.errors import ApplicationError

MAX_PARTY = 20


class DateInput(forms.DateInput):
    input_type = "date"


class SearchForm(forms.Form):
    check_in = forms.DateField(label="Check-in", widget=DateInput)
    check_out = forms.DateField(label="Check-out", widget=DateInput)
    guests = forms.IntegerField(label="Guests", min_value=1, max_value=MAX_PARTY, initial=2)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_in, check_out = data.get("check_in"), data.get("check_out")
        if isinstance(check_in, date) and isinstance(check_out, date) and check_out <= check_in:
            self.add_error("check_out", "Check-out must be after check-in.")
        return data

    @classmethod
    def suggested(cls, today: date) -> dict[str, Any]:
        return {"check_in": today + timedelta(days=7), "check_out": today + timedelta(days=9)}


class StayForm(SearchForm):
    """The stay carried from the results to the booking form, plus the chosen room."""

    room = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("check_in", "check_out", "guests"):
            self.fields[name].widget = forms.HiddenInput()


class GuestDetailsForm(forms.Form):
    guest_name = forms.CharField(label="Full name", max_length=200)
    guest_email = forms.EmailField(
        label="Email", help_text="We send the confirmation and a link to manage the booking here."
    )
    guest_phone = forms.CharField(label="Phone (optional)", max_length=40, required=False)
    notes = forms.CharField(
        label="Requests (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RegisterForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="Email")
    password = forms.CharField(
        label="Password", widget=forms.PasswordInput, help_text="At least 10 characters."
    )


def attach_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a domain error next to the field it names, or above the form."""
    field = error.extra.get("field")
    if isinstance(field, str) and field in form.fields and not form.fields[field].widget.is_hidden:
        form.add_error(field, error.detail)
    else:
        form.add_error(None, error.detail)


DESK_METHODS = [("cash", "Cash"), ("card", "Card on the desk terminal"), ("transfer", "Transfer")]


class DeskPaymentForm(forms.Form):
    """Money the desk took; the amount starts as the balance due."""

    method = forms.ChoiceField(label="Method", choices=DESK_METHODS, widget=forms.RadioSelect)
    amount = forms.DecimalField(
        label="Amount", min_value=Decimal("0.01"), max_digits=12, decimal_places=3
    )


class DeskRefundForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount", min_value=Decimal("0.01"), max_digits=12, decimal_places=3
    )
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        help_text="Required: it goes on the ledger and the audit trail.",
        error_messages={"required": "Give a reason for the refund."},
    )


# --- the folio at the desk: extras, and checking out a guest who owes money ---------------------


class FolioExtraForm(forms.Form):
    """Post an extra from the property's catalogue on the stay."""

    code = forms.ChoiceField(label="Extra", choices=[])
    quantity = forms.IntegerField(label="Quantity", min_value=1, max_value=99, initial=1)
    note = forms.CharField(label="Note", max_length=300, required=False)

    def __init__(self, *args: Any, catalogue: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = catalogue


class FolioVoidForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        error_messages={"required": "Say why the extra is voided."},
    )


class CheckOutPayForm(forms.Form):
    """The guest pays the balance as they leave: recorded, then checked out."""

    method = forms.ChoiceField(label="Method", choices=DESK_METHODS, widget=forms.RadioSelect)
    amount = forms.DecimalField(
        label="Amount", min_value=Decimal("0.01"), max_digits=12, decimal_places=3
    )


class CheckOutLaterForm(forms.Form):
    """The guest leaves owing money that will be invoiced (a company, a travel agent...)."""

    reason = forms.CharField(
        label="Why invoice later",
        max_length=300,
        help_text="Required: who pays and how (it goes on the invoice and the audit trail).",
        error_messages={"required": "Say why the balance is invoiced later."},
    )
