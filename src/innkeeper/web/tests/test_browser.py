"""End to end in Debian's Chromium: guests book, two browsers race, staff check a guest in.

One browser for the whole module; each test opens fresh contexts (separate cookie jars).
Screenshots of the key pages go to test-output/screenshots/ at desktop and phone widths.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking, BookingEvent
from innkeeper.bookings.models import BookingStatus as S
from innkeeper.bookings.services import booking_create
from innkeeper.conftest import PASSWORD
from innkeeper.rooms.models import PaymentPolicy, Room, RoomType, RoomTypePhoto
from innkeeper.testing.browser import shoot
from innkeeper.testing.jobs import drain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def book_url(base: str, room: Room, check_in: date, check_out: date, guests: int = 2) -> str:
    return f"{base}/book/?room={room.pk}&check_in={check_in}&check_out={check_out}&guests={guests}"


def test_guest_searches_books_and_manages_by_emailed_link(
    live_server: Any,
    new_page: Any,
    room: Room,
    room_type: RoomType,
    room_photo: RoomTypePhoto,
    stay: tuple[date, date],
) -> None:
    PaymentPolicy.objects.create(
        property=room.property,
        tourist_tax_per_person_night=Decimal("2.50"),
        vat_percent=Decimal("10"),
    )
    page = new_page()
    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Riad Test")
    expect(page.get_by_alt_text(room_photo.alt_text)).to_be_visible()
    shoot(page, "home")

    # Bad input first: the message sits next to the field, the page is not an error page.
    page.get_by_label("Check-in").fill(str(stay[1]))
    page.get_by_label("Check-out").fill(str(stay[0]))
    page.get_by_role("button", name="Search").click()
    check_out_field = page.locator(".field.has-error", has=page.get_by_label("Check-out"))
    expect(check_out_field.locator(".field-error")).to_have_text(
        "Check-out must be after check-in."
    )
    shoot(page, "search-error")

    page.get_by_label("Check-in").fill(str(stay[0]))
    page.get_by_label("Check-out").fill(str(stay[1]))
    page.get_by_label("Guests").fill("2")
    page.get_by_role("button", name="Search").click()
    offer = page.locator(".offer", has_text="Double")
    expect(offer).to_contain_text("315.00 EUR")  # 3 x 100 + tourist tax 2 x 3 x 2.50
    expect(offer).to_contain_text("for 3 nights")
    expect(offer).to_contain_text("Includes tourist tax 15.00 EUR")
    shoot(page, "search-results")

    offer.get_by_role("button", name="Book Double").click()
    page.get_by_label("Full name").fill("Amina Alaoui")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Confirm booking").click()
    email_field = page.locator(".field.has-error", has=page.get_by_label("Email"))
    expect(email_field.locator(".field-error")).to_have_text("Enter a valid email address.")
    shoot(page, "booking-form-error")

    page.get_by_label("Email").fill("amina@example.com")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Booking confirmed")
    booking = Booking.objects.get(guest_email="amina@example.com")
    expect(page.locator(".ref").first).to_have_text(booking.reference)
    expect(page.locator(".charges .total")).to_contain_text("315.00 EUR")
    shoot(page, "confirmation")

    # The email goes out from the queue; its link opens the booking in a browser that never
    # saw it, which sees what cancelling refunds before it cancels.
    drain()
    link = re.search(r"https?://\S+/manage/\S+/", str(mail.outbox[-1].body))
    assert link is not None, mail.outbox[-1].body
    other = new_page()
    other.goto(link.group(0))
    expect(other.get_by_role("heading", level=1)).to_have_text("My bookings")
    shoot(other, "my-bookings")
    other.get_by_role("link", name=f"Cancel booking {booking.reference}").click()
    expect(other.locator(".refund")).to_contain_text("refunds nothing")
    shoot(other, "cancel")
    other.get_by_role("button", name=f"Yes, cancel booking {booking.reference}").click()
    expect(other.locator(".msg-success")).to_contain_text(f"{booking.reference} is cancelled")
    booking.refresh_from_db()
    assert booking.status == S.CANCELLED


def test_two_browsers_race_for_the_last_room(
    live_server: Any, new_page: Any, room: Room, stay: tuple[date, date]
) -> None:
    pages = [new_page(), new_page()]
    for number, page in enumerate(pages):
        page.goto(book_url(live_server.url, room, *stay))
        page.get_by_label("Full name").fill(f"Racer {number}")
        page.get_by_label("Email").fill(f"racer{number}@example.com")
    # Both forms were loaded while the room was free; send both at once.
    with pages[0].expect_navigation(), pages[1].expect_navigation():
        for page in pages:
            page.evaluate("document.querySelector('form.book').requestSubmit()")

    headings = [page.get_by_role("heading", level=1).inner_text() for page in pages]
    winners = [p for p, h in zip(pages, headings, strict=True) if h == "Booking confirmed"]
    losers = [p for p, h in zip(pages, headings, strict=True) if h != "Booking confirmed"]
    assert len(winners) == 1 and len(losers) == 1, headings
    expect(losers[0].get_by_role("alert")).to_contain_text("someone else booked this room")
    expect(losers[0].get_by_role("link", name="See what is still free")).to_be_visible()
    shoot(losers[0], "room-taken")
    assert Booking.objects.filter(room=room, status=S.CONFIRMED).count() == 1


def test_staff_checks_in_an_arrival_and_the_board_changes(
    live_server: Any, new_page: Any, room: Room, staff: User, guest: User, today: date
) -> None:
    booking = booking_create(
        room_id=room.pk,
        check_in=today,
        check_out=today + timedelta(days=2),
        guests=2,
        created_by=guest,
        guest=guest,
        guest_name="Youssef Benali",
    )
    page = new_page()
    page.goto(f"{live_server.url}/desk/")
    expect(page).to_have_url(re.compile(r"/desk/login/"))
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Room board").click()
    bar = page.locator(f'td[data-reference="{booking.reference}"]')
    expect(bar).to_have_attribute("data-status", "confirmed")
    expect(bar).to_have_attribute("colspan", "2")

    page.get_by_role("link", name="Today").click()
    arrival = page.locator("#arrivals-table tr", has_text="Youssef Benali")
    expect(arrival).to_contain_text("Confirmed")
    shoot(page, "desk-today")
    arrival.get_by_role("button", name=re.compile("^Check in")).click()
    expect(page.locator(".msg-success")).to_have_text(f"Booking {booking.reference} checked in.")
    expect(page.locator("#in-house-table")).to_contain_text("Youssef Benali")
    expect(page.locator("#arrivals")).to_contain_text("0")

    page.get_by_role("link", name="Room board").click()
    expect(bar).to_have_attribute("data-status", "checked_in")
    shoot(page, "room-board")

    bar.get_by_role("link").click()
    expect(page.locator(".history")).to_contain_text("booking.checked_in")
    # The desk takes the balance in cash: the amount is prefilled, the ledger shows it.
    desk_pay = page.locator("form.desk-pay")  # the folio's check-out form has its own
    desk_pay.get_by_label("Cash").check()
    expect(desk_pay.get_by_label("Amount")).to_have_value("200.00")
    shoot(page, "desk-payment-form")
    desk_pay.get_by_role("button", name="Record payment").click()
    expect(page.locator(".msg-success")).to_contain_text("Recorded 200.00 EUR (cash)")
    expect(page.locator(".ledger")).to_contain_text("Recorded at the desk")
    shoot(page, "desk-booking")
    assert BookingEvent.objects.filter(booking=booking, action="booking.checked_in").exists()


def test_staff_member_resets_a_forgotten_password_by_emailed_link(
    live_server: Any, new_page: Any, staff: User
) -> None:
    """Issue 12 finding 7: "Forgot your password?" from the desk sign-in, the emailed link
    (sent by the job queue), a new password, then signing in with it."""
    new_password = "a-fresh-desk-password-31"
    page = new_page()
    page.goto(f"{live_server.url}/desk/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(staff.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator(".msg-success")).to_contain_text("we have sent it a link")
    shoot(page, "password-reset-sent")

    drain()
    link = re.search(r"https?://\S+/account/reset/\S+/\S+/", str(mail.outbox[-1].body))
    assert link is not None, mail.outbox[-1].body
    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert "/set-password/" in page.url  # the token left the address bar
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("New password confirmation").fill(new_password)
    shoot(page, "password-reset-form")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")

    page.goto(f"{live_server.url}/desk/login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(new_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/desk/$"))
    # The link worked once.
    again = new_page()
    again.goto(link.group(0))
    expect(again.locator(".alert")).to_contain_text("not valid")
