"""Provider payments, the append-only ledger and receipts. (The payment policy is a money
rule and lives in rooms; the price fixed on a booking lives in bookings.)"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from innkeeper.bookings.models import Booking
from innkeeper.rooms.models import Property


class Provider(models.TextChoices):
    PAY_AT_PROPERTY = "pay_at_property", "Pay at the property"
    STRIPE = "stripe", "Stripe"


class Purpose(models.TextChoices):
    DEPOSIT = "deposit", "Deposit"
    BALANCE = "balance", "Balance"
    REFUND = "refund", "Refund"


class PaymentStatus(models.TextChoices):
    CREATED = "created", "Created, not yet sent to the provider"
    PROVIDER_UNAVAILABLE = "provider_unavailable", "Provider unreachable; will be retried"
    REQUIRES_ACTION = "requires_action", "Waiting for the guest to pay"
    PROCESSING = "processing", "Processing at the provider"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    # A refund of cash taken at the desk, owed since an online cancellation: staff pay it out
    # and record it (it is not an open provider payment: reconciliation has nothing to ask).
    DUE_AT_DESK = "due_at_desk", "Refund due at the desk"


OPEN_STATUSES: tuple[str, ...] = (
    PaymentStatus.CREATED,
    PaymentStatus.PROVIDER_UNAVAILABLE,
    PaymentStatus.REQUIRES_ACTION,
    PaymentStatus.PROCESSING,
)


class Payment(models.Model):
    """One money movement asked of a provider (a charge or a refund) and its state there."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    method = models.CharField(max_length=20, blank=True)  # cash, card, transfer at the desk
    amount = models.DecimalField(max_digits=12, decimal_places=3)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=24, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    refund_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    provider_ref = models.CharField(max_length=120, blank=True, db_index=True)
    # Paid on Stripe's hosted page (a Checkout Session, `cs_...` ref), not by a PaymentIntent
    # the API hands to Stripe.js: known before the session exists, so it is never re-sent as one.
    hosted_checkout = models.BooleanField(default=False, db_default=False)
    client_secret = models.CharField(max_length=200, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "updated_at"], name="payment_status_updated")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.amount} {self.currency} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EntryKind(models.TextChoices):
    AUTHORIZED = "authorized", "Authorized"
    CAPTURED = "captured", "Captured"
    REFUNDED = "refunded", "Refunded"
    FAILED = "failed", "Failed"
    RECORDED_AT_DESK = "recorded_at_desk", "Recorded at the desk"
    # A recorded refund that failed afterwards (Stripe `refund.failed`): the money is back.
    REFUND_REVERSED = "refund_reversed", "Refund reversed"


class AppendOnlyError(Exception):
    """Ledger entries are facts: correct a mistake with a new entry, never by editing one."""


class LedgerQuerySet(models.QuerySet["LedgerEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Ledger entries cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Ledger entries cannot be deleted.")

    def _raw_delete(self, using: Any) -> int:
        raise AppendOnlyError("Ledger entries cannot be deleted.")


class LedgerEntry(models.Model):
    """An append-only fact about a booking's money. `settled` is its signed effect on what
    the guest has paid; the paid amount is the sum of `settled` and nothing else."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="ledger")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=3)
    settled = models.DecimalField(max_digits=12, decimal_places=3)
    currency = models.CharField(max_length=3)
    provider = models.CharField(max_length=20, choices=Provider.choices)
    provider_ref = models.CharField(max_length=120, blank=True)
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects: ClassVar[models.Manager[LedgerEntry]] = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            # One entry of each kind per provider payment: a replayed webhook adds nothing.
            models.UniqueConstraint(fields=["payment", "kind"], name="ledger_payment_kind_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Ledger entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Ledger entries cannot be deleted.")


class WebhookEvent(models.Model):
    """Provider events already applied, by their id: a redelivered event is a no-op."""

    provider = models.CharField(max_length=20, choices=Provider.choices)
    event_id = models.CharField(max_length=120)
    event_type = models.CharField(max_length=80)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_unique")
        ]

    def __str__(self) -> str:
        return self.event_id


class ReceiptCounter(models.Model):
    """The last receipt number per property and year, locked while a number is taken."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["property", "year"], name="receipt_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.property_id}/{self.year}: {self.last_number}"


class Receipt(models.Model):
    """One per ledger entry that moved money; numbered without gaps per property and year."""

    property = models.ForeignKey(Property, on_delete=models.PROTECT)
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="receipts")
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="receipt")
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=40)
    html = models.TextField()
    pdf = models.BinaryField()
    html_sha256 = models.CharField(max_length=64)
    pdf_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["property_id", "year", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["property", "year", "sequence"], name="receipt_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.number


# --- the folio: extras posted on a stay, and the final invoice ---------------------------------


class ExtraItem(models.Model):
    """One line of a property's catalogue of extras (breakfast, minibar, laundry, late
    check-out), kept in the admin. Prices include VAT, like room rates."""

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="extra_items")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    unit_price = models.DecimalField(max_digits=12, decimal_places=3)
    # Blank: the property's policy VAT (breakfast may have a reduced rate of its own).
    vat_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["property_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["property", "code"], name="extra_item_code_unique"),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="extra_item_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit_price})"


class FolioCharge(models.Model):
    """An extra posted on a stay, its price fixed when posted. A mistake is voided (who, why,
    when), never deleted: the folio keeps every line it ever showed."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="folio_charges")
    item = models.ForeignKey(ExtraItem, null=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=100)
    quantity = models.PositiveSmallIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=3)
    amount = models.DecimalField(max_digits=12, decimal_places=3)
    currency = models.CharField(max_length=3)
    vat_percent = models.DecimalField(max_digits=5, decimal_places=2)
    vat_amount = models.DecimalField(max_digits=12, decimal_places=3)
    note = models.CharField(max_length=300, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(auto_now_add=True, db_index=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    void_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["posted_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="folio_charge_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.description}"


class Settlement(models.TextChoices):
    SETTLED = "settled", "Settled"
    INVOICE_LATER = "invoice_later", "To invoice later"
    STATEMENT = "statement", "Statement"


class InvoiceCounter(models.Model):
    """The last invoice number per property and year: the receipts' gapless counter
    (`receipts.next_sequence`), in a series of its own."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["property", "year"], name="invoice_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.property_id}/{self.year}: {self.last_number}"


class Invoice(models.Model):
    """The stay's account as a numbered document: every line (room nights, taxes, extras,
    payments, refunds) and the balance. Issued at check-out (final); staff may issue a fresh
    statement later (after a late payment). Numbered without gaps per property and year."""

    property = models.ForeignKey(Property, on_delete=models.PROTECT)
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="invoices")
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=40, unique=True)
    settlement = models.CharField(max_length=20, choices=Settlement.choices)
    reason = models.CharField(max_length=300, blank=True)
    charged = models.DecimalField(max_digits=12, decimal_places=3)
    paid = models.DecimalField(max_digits=12, decimal_places=3)
    balance = models.DecimalField(max_digits=12, decimal_places=3)
    currency = models.CharField(max_length=3)
    lines = models.JSONField(default=list)
    html = models.TextField()
    pdf = models.BinaryField()
    html_sha256 = models.CharField(max_length=64)
    pdf_sha256 = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["property_id", "year", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["property", "year", "sequence"], name="invoice_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.number
