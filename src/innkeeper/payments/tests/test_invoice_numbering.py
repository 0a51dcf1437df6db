"""Invoice and receipt numbers stay gapless under concurrency: real threads checking guests
out at once (some refused because they owe money, some paying as they leave) on the real
database, SQLite file or PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connections

from innkeeper.conftest import make_user
from innkeeper.flows.settle_then_check_out import (
    booking_check_out_settled,
    desk_payment_then_check_out,
)
from innkeeper.payments.folio import BalanceDue
from innkeeper.payments.models import Invoice, Receipt
from innkeeper.rooms.models import Room
from innkeeper.testing.folio import in_house, taxed_policy

pytestmark = [pytest.mark.slow, pytest.mark.integrity, pytest.mark.django_db(transaction=True)]
GUESTS = 9


def _race(jobs: list[Callable[[], str]]) -> Counter[str]:
    barrier = threading.Barrier(len(jobs))
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def run(job: Callable[[], str]) -> None:
        try:
            barrier.wait()
            result = job()
        except BalanceDue:
            result = "balance_due"
        except Exception as error:
            result = f"error: {type(error).__name__}: {error}"
        finally:
            connections.close_all()
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_concurrent_check_outs_number_invoices_and_receipts_without_gaps(
    hotel, room_type, staff, today
):
    taxed_policy(hotel)
    bookings = []
    for index in range(GUESTS):
        room = Room.objects.create(property=hotel, room_type=room_type, number=f"2{index:02d}")
        guest = make_user(f"leaving{index}@example.com")
        bookings.append(in_house(room, guest, staff, today))  # each owes 210.00

    def job(index: int) -> Callable[[], str]:
        reference = bookings[index].reference
        if index % 3 == 0:  # owes money, nobody takes it: refused, uses no number
            return lambda: booking_check_out_settled(reference=reference, actor=staff).status
        if index % 3 == 1:  # pays as they leave: a receipt and an invoice
            return lambda: (
                desk_payment_then_check_out(
                    reference=reference, actor=staff, amount=Decimal("210.00"), method="card"
                ).status
            )
        return lambda: (
            booking_check_out_settled(
                reference=reference, actor=staff, invoice_later=True, reason="company pays"
            ).status
        )

    outcomes = _race([job(i) for i in range(GUESTS)])
    assert outcomes == Counter({"checked_out": 6, "balance_due": 3}), outcomes

    invoices = list(Invoice.objects.order_by("sequence"))
    assert [i.sequence for i in invoices] == list(range(1, 7))
    assert len({i.booking_id for i in invoices}) == 6
    receipts = list(Receipt.objects.order_by("sequence"))
    assert [r.sequence for r in receipts] == [1, 2, 3]
    assert sorted(i.settlement for i in invoices) == ["invoice_later"] * 3 + ["settled"] * 3
