"""The ledger is append-only in the ORM, the database and the admin; balance = sum of entries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum
from django.test import RequestFactory

from innkeeper.flows.deposit_paid_then_confirm import payment_submit_then_confirm
from innkeeper.payments.ledger import balance_due, paid_amount
from innkeeper.payments.models import AppendOnlyError, LedgerEntry, Receipt
from innkeeper.payments.refunds import refund_issue
from innkeeper.payments.services import payment_create

pytestmark = pytest.mark.django_db


def desk_payment(booking, staff, amount):
    payment = payment_create(
        reference=booking.reference,
        actor=staff,
        provider="pay_at_property",
        purpose="balance",
        amount=Decimal(amount),
        method="cash",
    )
    return payment_submit_then_confirm(payment_id=payment.pk, actor=staff)


@pytest.fixture
def entry(make_booking, staff):
    booking = make_booking()
    desk_payment(booking, staff, "50")
    return LedgerEntry.objects.get(booking=booking)


def test_orm_refuses_changes_and_deletes(entry):
    entry.amount = Decimal("1")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1"))
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("50")


def test_database_trigger_refuses_raw_update(entry):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE payments_ledgerentry SET amount = 1 WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("50")


def test_database_trigger_refuses_raw_delete_on_postgresql(entry):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps DELETE open for Django's test flush; see migration 0002")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM payments_ledgerentry WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_admin_is_read_only(entry, staff):
    request = RequestFactory().get("/admin/")
    staff.is_superuser = True
    request.user = staff
    model_admin = site._registry[LedgerEntry]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)


def test_balance_is_the_sum_of_entries(make_booking, staff):
    booking = make_booking()  # 300.00, no policy
    desk_payment(booking, staff, "120.10")
    desk_payment(booking, staff, "79.90")
    refund_issue(booking=booking, actor=staff, amount=Decimal("30"), reason="minibar dispute")
    settled = LedgerEntry.objects.filter(booking=booking).aggregate(s=Sum("settled"))["s"]
    assert paid_amount(booking) == settled == Decimal("170.00")
    assert balance_due(booking) == Decimal("130.00")
    kinds = sorted(LedgerEntry.objects.filter(booking=booking).values_list("kind", flat=True))
    assert kinds == ["recorded_at_desk", "recorded_at_desk", "refunded"]


def test_receipts_are_numbered_without_gaps_per_property_and_year(make_booking, staff):
    booking = make_booking()
    for amount in ("10", "20", "30"):
        desk_payment(booking, staff, amount)
    receipts = list(Receipt.objects.order_by("sequence"))
    year = receipts[0].year
    assert [r.sequence for r in receipts] == [1, 2, 3]
    assert [r.number for r in receipts] == [f"RIAD-TEST-{year}-{n:06d}" for n in (1, 2, 3)]
    first = receipts[0]
    assert bytes(first.pdf).startswith(b"%PDF")
    assert "Tourist tax" in first.html and "VAT" in first.html
