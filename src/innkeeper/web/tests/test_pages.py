"""Guest pages through Django's test client: messages next to fields, emailed links, errors."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from django.tasks.base import TaskResultStatus
from django.test import Client
from django_tasks_db.models import DBTaskResult

from innkeeper.accounts.models import User
from innkeeper.bookings.models import Booking
from innkeeper.bookings.models import BookingStatus as S
from innkeeper.conftest import PASSWORD
from innkeeper.notifications.models import SentEmail
from innkeeper.rooms.models import PaymentPolicy, Room
from innkeeper.testing.jobs import child_env, drain, start, stop, wait_for
from innkeeper.testing.smtp import SmtpServer
from innkeeper.testing.web import book_data, field_error

pytestmark = pytest.mark.django_db


def test_search_rejects_bad_input_next_to_the_field(
    client: Client, room: Room, today: date
) -> None:
    query: dict[str, Any] = {"check_in": "soon", "check_out": today, "guests": 0}
    response = client.get("/search/", query)
    assert response.status_code == 422
    html = response.content.decode()
    assert field_error(html, "check_in") == "Enter a valid date."
    assert "greater than or equal to 1" in field_error(html, "guests")

    past = today - timedelta(days=3)
    in_the_past: dict[str, str | int] = {
        "check_in": str(past),
        "check_out": str(today),
        "guests": 2,
    }
    response = client.get("/search/", in_the_past)
    assert response.status_code == 422
    assert "is in the past" in field_error(response.content.decode(), "check_in")


def test_search_shows_room_types_with_stay_price(
    client: Client, room: Room, stay: tuple[date, date]
) -> None:
    query: dict[str, str | int] = {"check_in": str(stay[0]), "check_out": str(stay[1]), "guests": 2}
    response = client.get("/search/", query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Double" in html and "300.00 EUR" in html and "for 3 nights" in html
    too_many = client.get("/search/", {**query, "guests": 3})
    assert "Nothing free for these dates" in too_many.content.decode()


def plain_text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def manage_path(body: str) -> str:
    found = re.search(r"http://testserver(/manage/\S+/)", body)
    assert found is not None, body
    return found.group(1)


def test_guest_checkout_emails_a_working_manage_link_over_smtp(
    client: Client, room: Room, stay: tuple[date, date], smtp_settings: SmtpServer
) -> None:
    response = client.post("/book/", book_data(room, stay))
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bookings/{booking.reference}/confirmation/"
    assert booking.guest is None and booking.status == S.CONFIRMED
    # Nothing is sent while the guest waits: the email is a job, committed with the booking.
    assert smtp_settings.messages == []
    assert DBTaskResult.objects.get().args_kwargs["kwargs"]["site_url"] == "http://testserver/"

    drain()
    [message] = smtp_settings.messages  # one email: the confirmation carries the link
    assert message["To"] == "amina@example.com"
    assert message["Subject"] == f"Your booking at Riad Test is confirmed ({booking.reference})"
    path = manage_path(plain_text(message))
    html = message.get_body(("html",))
    assert html is not None and f"http://testserver{path}" in html.get_content()

    stranger = Client()
    assert stranger.get(f"/bookings/{booking.reference}/confirmation/").status_code == 404
    opened = stranger.get(path, follow=True)
    assert booking.reference in opened.content.decode()
    asked = stranger.get(f"/bookings/{booking.reference}/cancel/")
    assert "Nothing has been paid, so cancelling now refunds nothing" in asked.content.decode()
    cancelled = stranger.post(f"/bookings/{booking.reference}/cancel/", follow=True)
    assert "is cancelled. There is nothing to refund." in cancelled.content.decode()
    booking.refresh_from_db()
    assert booking.status == S.CANCELLED


def test_booking_still_stands_when_mail_cannot_be_sent(
    client: Client, room: Room, stay: tuple[date, date], smtp_settings: SmtpServer
) -> None:
    smtp_settings.stop()
    response = client.post("/book/", book_data(room, stay), follow=True)
    assert response.status_code == 200
    assert "Booking confirmed" in response.content.decode()
    drain()  # the worker tries, fails, and schedules a retry; the booking is untouched
    job = DBTaskResult.objects.get()
    assert job.status == TaskResultStatus.READY and job.args_kwargs["kwargs"]["kind"] == (
        "booking_confirmed"
    )
    assert not SentEmail.objects.exists()
    assert Booking.objects.get().status == S.CONFIRMED


def test_expired_or_forged_links_get_a_clear_page(
    client: Client, room: Room, stay: tuple[date, date], settings: Any, mailoutbox: list[Any]
) -> None:
    client.post("/book/", book_data(room, stay))
    drain()
    path = manage_path(mailoutbox[0].body)
    forged = client.get(path[:-3] + "xx/")
    assert forged.status_code == 404 and "not valid" in forged.content.decode()
    settings.MAGIC_LINK_TTL_HOURS = 0
    expired = client.get(path)
    assert expired.status_code == 410 and "This link has expired" in expired.content.decode()


def test_booking_form_errors_stay_on_the_form(
    client: Client, room: Room, stay: tuple[date, date]
) -> None:
    response = client.post("/book/", book_data(room, stay, guest_email="nope", guest_name=""))
    assert response.status_code == 422
    html = response.content.decode()
    assert field_error(html, "guest_email") == "Enter a valid email address."
    assert field_error(html, "guest_name") == "This field is required."
    response = client.post("/book/", book_data(room, stay, guests=3))
    assert response.status_code == 422
    assert "sleeps at most 2" in response.content.decode()
    assert not Booking.objects.exists()


def test_taken_room_says_so_and_offers_a_new_search(
    client: Client, room: Room, stay: tuple[date, date], make_booking: Any
) -> None:
    make_booking()
    response = client.post("/book/", book_data(room, stay))
    assert response.status_code == 409
    html = response.content.decode()
    assert "someone else booked this room a moment ago" in html
    assert "See what is still free" in html


def test_signed_in_guest_books_on_the_account(
    client: Client, room: Room, stay: tuple[date, date], guest: User
) -> None:
    client.force_login(guest)
    client.post("/book/", book_data(room, stay))
    booking = Booking.objects.get()
    assert booking.guest == guest
    assert booking.reference not in Client().get("/my-bookings/").content.decode()
    other_browser = Client()
    other_browser.force_login(guest)
    assert booking.reference in other_browser.get("/my-bookings/").content.decode()


def test_register_rejects_a_short_password_next_to_the_field(client: Client) -> None:
    response = client.post(
        "/account/register/", {"name": "Ann", "email": "ann@example.com", "password": "short"}
    )
    assert response.status_code == 422
    assert "too short" in field_error(response.content.decode(), "password")
    response = client.post(
        "/account/register/",
        {"name": "Ann", "email": "ann@example.com", "password": "correct horse battery"},
    )
    assert response.status_code == 302 and response["Location"] == "/account/login/"
    assert User.objects.filter(email="ann@example.com").exists()


def test_stale_form_says_session_expired(room: Room, stay: tuple[date, date]) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/book/", book_data(room, stay))
    assert response.status_code == 403
    assert "Your session expired" in response.content.decode()
    assert not Booking.objects.exists()


def test_unknown_pages_and_bookings_get_the_friendly_404(client: Client) -> None:
    for path in ("/no-such-page/", "/bookings/IK-NOPE/confirmation/"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Back to the start" in response.content.decode()


def test_pages_load_under_100_kb_of_css_and_js(
    client: Client, room: Room, stay: tuple[date, date], staff: User
) -> None:
    client.post("/book/", book_data(room, stay))
    reference = Booking.objects.get().reference
    pages = [
        "/",
        f"/search/?check_in={stay[0]}&check_out={stay[1]}&guests=2",
        f"/book/?room={room.pk}&check_in={stay[0]}&check_out={stay[1]}&guests=2",
        f"/bookings/{reference}/confirmation/",
        f"/bookings/{reference}/cancel/",
        "/my-bookings/",
    ]
    desk = Client()
    desk.force_login(staff)
    for browser, page in [(client, p) for p in pages] + [(desk, f"/desk/bookings/{reference}/")]:
        html = browser.get(page).content.decode()
        assets = re.findall(
            r'<link rel="stylesheet" href="([^"]+)"|<script[^>]+src="([^"]+)"', html
        )
        urls = [css or js for css, js in assets]
        assert urls, page
        weight = sum(len(client.get(url).getvalue()) for url in urls)
        assert weight < 100_000, (page, weight)
        assert "<script" not in html, page  # every page works without JavaScript


# --- rate limits on the forms: the API's scopes, a 429 page that keeps the form -----------------


def test_sixth_login_post_within_a_minute_gets_429_with_the_form_kept(
    client: Client, guest: User, rate_limits: Any
) -> None:
    for _ in range(5):
        response = client.post(
            "/account/login/", {"username": guest.email, "password": "wrong password"}
        )
        assert response.status_code == 200
    response = client.post("/account/login/", {"username": guest.email, "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Too many attempts from here in a short time. Please wait" in html
    assert f'value="{guest.email}"' in html and 'name="password"' in html  # the form, kept
    assert "_auth_user_id" not in client.session  # refused before the password was checked


def test_booking_and_register_forms_are_limited_per_address(
    client: Client, room: Room, stay: tuple[date, date], rate_limits: Any
) -> None:
    rate_limits.RATE_LIMITS = {
        **rate_limits.RATE_LIMITS,
        "booking_create_ip": "1/minute",
        "register": "1/hour",
    }
    assert client.post("/book/", book_data(room, stay)).status_code == 302
    data = book_data(room, stay, guest_name="Second Try", notes="late arrival")
    limited = client.post("/book/", data)
    assert limited.status_code == 429 and "Retry-After" in limited
    html = limited.content.decode()
    assert "Please wait" in html and 'value="Second Try"' in html and "late arrival" in html
    assert Booking.objects.count() == 1

    account = {"name": "Ann", "email": "ann@example.com", "password": "correct horse battery"}
    assert client.post("/account/register/", account).status_code == 302
    again = client.post("/account/register/", {**account, "email": "bob@example.com"})
    assert again.status_code == 429 and 'value="bob@example.com"' in again.content.decode()
    assert not User.objects.filter(email="bob@example.com").exists()


# --- the manage-link email through a real worker process and a real SMTP server ---------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_real_worker_emails_the_deposit_and_manage_link_exactly_once(
    client: Client, room: Room, stay: tuple[date, date], smtp_server: SmtpServer
) -> None:
    PaymentPolicy.objects.create(property=room.property, deposit_kind="first_night")
    worker = start("worker", env=child_env(smtp_server))
    try:
        client.post("/book/", book_data(room, stay))
        booking = Booking.objects.get()
        assert booking.status == S.PENDING
        wait_for(lambda: smtp_server.messages, what="the email")
        wait_for(
            lambda: DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).exists(),
            what="the job to finish",
        )
        time.sleep(0.5)  # a second delivery, if there were one, would have happened by now
    finally:
        stop(worker)
    [message] = smtp_server.messages
    assert message["Subject"] == f"We received your booking at Riad Test ({booking.reference})"
    text = plain_text(message)
    assert "A deposit of 100.00 EUR is due" in text and "is released on" in text
    opened = Client().get(manage_path(text), follow=True)
    assert booking.reference in opened.content.decode()
    assert SentEmail.objects.get().status == "sent"
