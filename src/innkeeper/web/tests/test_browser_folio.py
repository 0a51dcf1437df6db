"""In Debian's Chromium: the desk posts an extra, tries to check out a guest who owes money,
is told how much and takes it, and the guest leaves with a final invoice."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from innkeeper.accounts.models import User
from innkeeper.bookings.models import BookingStatus as S
from innkeeper.conftest import PASSWORD
from innkeeper.payments.models import Invoice
from innkeeper.rooms.models import Property, Room
from innkeeper.testing.browser import shoot
from innkeeper.testing.folio import catalogue, in_house, taxed_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_desk_checks_out_a_guest_with_a_balance_after_taking_it(
    live_server: Any,
    new_page: Any,
    hotel: Property,
    room: Room,
    staff: User,
    guest: User,
    today: date,
) -> None:
    taxed_policy(hotel)
    catalogue(hotel)
    booking = in_house(room, guest, staff, today, name="Leila Haddad")  # owes 210.00
    page = new_page()
    page.goto(f"{live_server.url}/desk/login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Two breakfasts on the folio, from the booking page.
    page.goto(f"{live_server.url}/desk/bookings/{booking.reference}/")
    extra = page.locator("form.desk-extra")
    extra.get_by_label("Extra").select_option("breakfast")
    extra.get_by_label("Quantity").fill("2")
    extra.get_by_role("button", name="Post extra").click()
    expect(page.locator(".msg-success")).to_contain_text("Posted 2 x Breakfast")
    expect(page.locator(".folio-lines")).to_contain_text("Breakfast")

    # Check out from today's list: refused, with the balance, on the booking's folio.
    page.goto(f"{live_server.url}/desk/")
    in_house_row = page.locator("#in-house-table tr", has_text="Leila Haddad")
    in_house_row.get_by_role("button", name=re.compile("^Check out")).click()
    expect(page).to_have_url(re.compile(rf"/desk/bookings/{booking.reference}/#check-out$"))
    expect(page.locator(".msg-error")).to_contain_text("Leila Haddad still owes 235.00 EUR")
    expect(page.locator(".balance-due")).to_contain_text("owes 235.00 EUR")
    shoot(page, "desk-check-out-balance-due")

    # The guest pays by card as they leave: amount prefilled with the balance.
    pay = page.locator("form.checkout-pay")
    expect(pay.get_by_label("Amount")).to_have_value("235.00")
    pay.get_by_label("Card on the desk terminal").check()
    pay.get_by_role("button", name="Record payment and check out").click()
    expect(page.locator(".msg-success")).to_contain_text(
        f"Booking {booking.reference} checked out; final invoice issued."
    )
    invoice = Invoice.objects.get(booking=booking)
    link = page.get_by_role("link", name=invoice.number)
    expect(link).to_be_visible()
    expect(page.locator(".folio-lines [data-balance]")).to_have_attribute("data-balance", "0.00")
    shoot(page, "desk-checked-out-folio")
    link.click()
    expect(page.locator("h1")).to_contain_text(invoice.number)
    expect(page.locator("tbody")).to_contain_text("Payment (card)")
    booking.refresh_from_db()
    assert booking.status == S.CHECKED_OUT and invoice.balance == 0
