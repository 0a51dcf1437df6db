"""The folio in the services: extras posted and voided, the balance, check-out refused while
money is owed, "invoice later", payments after check-out, and the final invoice's lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from innkeeper.bookings.models import BookingStatus
from innkeeper.core.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from innkeeper.core.models import AuditEvent
from innkeeper.flows.deposit_paid_then_confirm import desk_payment_then_confirm
from innkeeper.flows.settle_then_check_out import (
    booking_check_out_settled,
    desk_payment_then_check_out,
)
from innkeeper.payments.folio import BalanceDue, extra_post, extra_void
from innkeeper.payments.folio_lines import folio_get
from innkeeper.payments.ledger import balance_due
from innkeeper.payments.models import FolioCharge, Invoice, Settlement
from innkeeper.payments.refunds import refund_issue
from innkeeper.payments.services import payment_create
from innkeeper.privacy.selectors import guest_export, guest_find
from innkeeper.testing.folio import catalogue, in_house, taxed_policy

pytestmark = [pytest.mark.integrity, pytest.mark.django_db]
D = Decimal


@pytest.fixture
def stay_in(hotel, room, guest, staff, today):
    """Two guests, two nights at 100.00 (VAT 10 % incl.) + 10.00 tourist tax = 210.00."""
    taxed_policy(hotel)
    catalogue(hotel)
    return in_house(room, guest, staff, today)


def pay(booking, staff, amount):
    return desk_payment_then_confirm(
        reference=booking.reference, actor=staff, amount=D(amount), method="cash"
    )


def test_folio_lists_room_taxes_extras_payments_refunds_and_the_balance(stay_in, staff):
    ref = stay_in.reference
    breakfast = extra_post(reference=ref, actor=staff, code="breakfast", quantity=2)
    minibar = extra_post(reference=ref, actor=staff, code="minibar", note="2 waters")
    assert (breakfast.amount, breakfast.vat_percent, breakfast.vat_amount) == (
        D("25.00"),
        D("10.00"),
        D("2.27"),  # 25.00 x 10/110, rounded half up
    )
    assert (minibar.amount, minibar.vat_amount) == (D("8.00"), D("1.33"))
    extra_void(reference=ref, actor=staff, charge_id=str(minibar.uid), reason="guest disputes")
    pay(stay_in, staff, "100")
    refund_issue(booking=stay_in, actor=staff, amount=D("10"), reason="noise at night")

    folio = folio_get(reference=ref, user=staff)
    kinds = [(line.kind, line.amount, line.voided) for line in folio.lines]
    assert kinds == [
        ("room", D("200.00"), False),
        ("tourist_tax", D("10.00"), False),
        ("extra", D("25.00"), False),
        ("extra", D("8.00"), True),
        ("payment", D("100.00"), False),
        ("refund", D("-10.00"), False),
    ]
    room_line = folio.lines[0]
    assert (room_line.quantity, room_line.unit_price, room_line.vat_amount) == (
        2,
        D("100.00"),
        D("18.18"),
    )
    assert folio.lines[3].void_reason == "guest disputes"
    assert (folio.charged, folio.paid, folio.balance_due) == (D("235.00"), D("90.00"), D("145.00"))
    assert balance_due(stay_in) == D("145.00")
    actions = list(AuditEvent.objects.filter(target=ref).values_list("action", flat=True))
    assert actions.count("folio.extra_posted") == 2 and "folio.extra_voided" in actions


def test_extras_are_staff_only_from_the_catalogue_and_from_check_in_on(
    stay_in, staff, guest, make_booking
):
    ref = stay_in.reference
    with pytest.raises(Forbidden):
        extra_post(reference=ref, actor=guest, code="breakfast")
    with pytest.raises(InvalidInput) as unknown:
        extra_post(reference=ref, actor=staff, code="spa")
    assert unknown.value.code == "extra_not_found"
    with pytest.raises(InvalidInput):  # retired from the catalogue
        extra_post(reference=ref, actor=staff, code="laundry")
    with pytest.raises(InvalidInput):
        extra_post(reference=ref, actor=staff, code="breakfast", quantity=0)
    future = make_booking()  # confirmed, not in the house yet
    with pytest.raises(InvalidTransition) as closed:
        extra_post(reference=future.reference, actor=staff, code="breakfast")
    assert closed.value.code == "folio_closed"
    assert not FolioCharge.objects.exists()


def test_a_void_needs_a_reason_and_happens_once(stay_in, staff):
    charge = extra_post(reference=stay_in.reference, actor=staff, code="breakfast")
    with pytest.raises(InvalidInput):
        extra_void(reference=stay_in.reference, actor=staff, charge_id=str(charge.uid), reason=" ")
    extra_void(reference=stay_in.reference, actor=staff, charge_id=str(charge.uid), reason="typo")
    with pytest.raises(InvalidTransition) as twice:
        extra_void(reference=stay_in.reference, actor=staff, charge_id=str(charge.uid), reason="x")
    assert twice.value.code == "extra_already_voided"
    with pytest.raises(NotFound):
        extra_void(reference=stay_in.reference, actor=staff, charge_id="not-a-uuid", reason="x")
    assert balance_due(stay_in) == D("210.00")


def test_check_out_is_refused_while_money_is_owed_and_leaves_everything_as_it_was(stay_in, staff):
    extra_post(reference=stay_in.reference, actor=staff, code="breakfast", quantity=2)
    with pytest.raises(BalanceDue) as refused:
        booking_check_out_settled(reference=stay_in.reference, actor=staff)
    assert refused.value.status == 409 and refused.value.code == "balance_due"
    assert refused.value.extra == {"balance_due": "235.00", "currency": "EUR"}
    assert "owes 235.00 EUR" in refused.value.detail
    stay_in.refresh_from_db()
    assert stay_in.status == BookingStatus.CHECKED_IN
    assert not Invoice.objects.exists()

    # Paying less than the balance as the guest leaves: nothing is recorded, still refused.
    with pytest.raises(BalanceDue):
        desk_payment_then_check_out(
            reference=stay_in.reference, actor=staff, amount=D("100"), method="card"
        )
    assert balance_due(stay_in) == D("235.00")

    checked = desk_payment_then_check_out(
        reference=stay_in.reference, actor=staff, amount=D("235.00"), method="card"
    )
    assert checked.status == BookingStatus.CHECKED_OUT
    (invoice,) = Invoice.objects.filter(booking=stay_in)
    assert invoice.settlement == Settlement.SETTLED and invoice.balance == 0
    assert [line["kind"] for line in invoice.lines] == [
        "room",
        "tourist_tax",
        "extra",
        "payment",
    ]
    assert invoice.number.endswith("-000001") and "-INV-" in invoice.number
    assert bytes(invoice.pdf).startswith(b"%PDF")
    assert "Breakfast" in invoice.html and "Balance due" in invoice.html


def test_invoice_later_needs_a_reason_is_audited_and_a_late_payment_settles_it(stay_in, staff):
    ref = stay_in.reference
    extra_post(reference=ref, actor=staff, code="late-check-out")
    with pytest.raises(InvalidInput) as no_reason:
        booking_check_out_settled(reference=ref, actor=staff, invoice_later=True)
    assert no_reason.value.code == "reason_required"
    booking_check_out_settled(
        reference=ref, actor=staff, invoice_later=True, reason="Atlas Tours pays", source="web"
    )
    invoice = Invoice.objects.get(booking=stay_in)
    assert (invoice.settlement, invoice.balance, invoice.reason) == (
        Settlement.INVOICE_LATER,
        D("240.00"),
        "Atlas Tours pays",
    )
    audit = AuditEvent.objects.get(action="folio.invoice_later", target=ref)
    assert audit.actor == staff and audit.details["reason"] == "Atlas Tours pays"
    assert audit.details["amount"] == "240.00" and audit.source == "web"

    # After check-out: more than the balance is refused, the balance is taken, then no more.
    with pytest.raises(InvalidInput):
        pay(stay_in, staff, "240.01")
    late = pay(stay_in, staff, "240.00")
    assert late.status == "succeeded" and balance_due(stay_in) == 0
    with pytest.raises(InvalidTransition) as closed:
        payment_create(
            reference=ref, actor=staff, provider="pay_at_property", purpose="balance", method="cash"
        )
    assert closed.value.code == "booking_not_payable"


def test_an_extra_found_after_check_out_makes_the_stay_payable_again(stay_in, staff):
    pay(stay_in, staff, "210")
    booking_check_out_settled(reference=stay_in.reference, actor=staff)
    with pytest.raises(InvalidTransition):
        pay(stay_in, staff, "1")
    extra_post(reference=stay_in.reference, actor=staff, code="minibar", note="found on cleaning")
    pay(stay_in, staff, "8")
    assert balance_due(stay_in) == 0


def test_only_staff_check_out_and_a_stay_not_in_the_house_is_an_invalid_transition(
    stay_in, staff, guest, make_booking
):
    with pytest.raises(Forbidden):
        booking_check_out_settled(reference=stay_in.reference, actor=guest)
    future = make_booking()
    with pytest.raises(InvalidTransition) as wrong:
        booking_check_out_settled(reference=future.reference, actor=staff)
    assert wrong.value.code == "invalid_transition"
    assert not Invoice.objects.exists()


def test_the_admin_check_out_action_is_refused_while_money_is_owed(stay_in, staff):
    client = Client()
    client.force_login(staff)
    action = {"action": "action_check_out", "_selected_action": [stay_in.pk]}
    refused = client.post("/admin/bookings/booking/", action, follow=True)
    assert "owes 210.00 EUR" in refused.content.decode()
    stay_in.refresh_from_db()
    assert stay_in.status == BookingStatus.CHECKED_IN
    pay(stay_in, staff, "210")
    client.post("/admin/bookings/booking/", action)
    stay_in.refresh_from_db()
    assert stay_in.status == BookingStatus.CHECKED_OUT
    assert Invoice.objects.get(booking=stay_in).settlement == Settlement.SETTLED


def test_the_guests_data_export_holds_the_extras_and_invoices(stay_in, staff, guest):
    extra_post(reference=stay_in.reference, actor=staff, code="breakfast", note="vegan")
    booking_check_out_settled(
        reference=stay_in.reference, actor=staff, invoice_later=True, reason="company"
    )
    found = guest_find(email=guest.email)
    assert found is not None
    (exported,) = guest_export(found)["bookings"]
    assert [(e["description"], e["note"]) for e in exported["extras"]] == [("Breakfast", "vegan")]
    assert [i["number"] for i in exported["invoices"]] == [Invoice.objects.get().number]
