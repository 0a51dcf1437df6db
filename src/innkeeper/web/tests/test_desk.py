"""Front desk through Django's test client: access, actions, board queries, photos, errors."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from PIL import Image

from innkeeper.accounts.models import Role, User
from innkeeper.bookings.models import Booking
from innkeeper.bookings.models import BookingStatus as S
from innkeeper.bookings.services import booking_create
from innkeeper.conftest import PASSWORD, make_user
from innkeeper.core.errors import problem_response
from innkeeper.flows.deposit_paid_then_confirm import desk_payment_then_confirm
from innkeeper.ops.maintenance import read_only_set
from innkeeper.payments.models import LedgerEntry, Payment
from innkeeper.rooms.models import PaymentPolicy, Property, Room, RoomType, RoomTypePhoto
from innkeeper.testing.web import field_error, jpeg_bytes
from innkeeper.web.board import room_board
from innkeeper.web.views.errors import WebProblemMiddleware

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client: Client, staff: User) -> Client:
    client.force_login(staff)
    return client


def arrival(room: Room, guest: User, today: date, nights: int = 2) -> Booking:
    return booking_create(
        room_id=room.pk,
        check_in=today,
        check_out=today + timedelta(days=nights),
        guests=1,
        created_by=guest,
        guest=guest,
    )


def test_desk_is_for_staff_only(client: Client, guest: User, hotel: Property) -> None:
    assert client.get("/desk/")["Location"].startswith("/desk/login/")
    client.force_login(guest)
    assert client.get("/desk/board/")["Location"].startswith("/desk/login/")
    assert client.post("/desk/bookings/IK-X/check-in/").status_code == 302
    assert not Booking.objects.exists()


def test_arrival_is_checked_in_then_out(desk: Client, room: Room, guest: User, today: date) -> None:
    booking = arrival(room, guest, today)
    page = desk.get("/desk/").content.decode()
    assert booking.reference in page and "Arrivals" in page

    done = desk.post(f"/desk/bookings/{booking.reference}/check-in/", follow=True)
    assert f"Booking {booking.reference} checked in." in done.content.decode()
    booking.refresh_from_db()
    assert booking.status == S.CHECKED_IN

    again = desk.post(f"/desk/bookings/{booking.reference}/check-in/", follow=True)
    assert again.status_code == 200
    assert "it cannot become checked in" in again.content.decode()

    # The guest owes the stay: the desk is sent to the booking's folio to settle it first.
    owed = desk.post(f"/desk/bookings/{booking.reference}/check-out/")
    assert owed["Location"] == f"/desk/bookings/{booking.reference}/#check-out"
    booking.refresh_from_db()
    assert booking.status == S.CHECKED_IN
    desk.post(
        f"/desk/bookings/{booking.reference}/folio/check-out/",
        {"mode": "pay", "out-pay-method": "cash", "out-pay-amount": str(booking.total_price)},
    )
    booking.refresh_from_db()
    assert booking.status == S.CHECKED_OUT
    detail = desk.get(f"/desk/bookings/{booking.reference}/").content.decode()
    assert "booking.checked_in" in detail and "booking.checked_out" in detail


def test_future_booking_cannot_be_checked_in_and_says_why(desk: Client, make_booking: Any) -> None:
    booking = make_booking()
    response = desk.post(f"/desk/bookings/{booking.reference}/check-in/", follow=True)
    assert "Check-in is possible from" in response.content.decode()
    assert desk.post(f"/desk/bookings/{booking.reference}/explode/").status_code == 404


def test_room_board_runs_a_constant_number_of_queries(
    room_type: RoomType, room: Room, guest: User, today: date
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            room_board(prop=room_type.property, start=today)
        return len(queries)

    arrival(room, guest, today)
    small = count()
    for number in range(5):
        extra = Room.objects.create(
            property=room.property, room_type=room_type, number=f"2{number}"
        )
        arrival(extra, guest, today + timedelta(days=number), nights=1)
    assert count() == small == 3  # rooms, bookings, channel blocks


def test_board_lays_bookings_out_by_date(
    desk: Client, room: Room, guest: User, today: date
) -> None:
    booking = arrival(room, guest, today + timedelta(days=1), nights=3)
    board = room_board(prop=room.property, start=today)
    [row] = board.rows
    assert [cell.span for cell in row.cells] == [1, 3, 1, 1, 1]
    assert row.cells[1].booking == booking
    html = desk.get("/desk/board/", {"start": str(today + timedelta(days=7))}).content.decode()
    assert booking.reference not in html
    assert desk.get("/desk/board/", {"start": "garbage"}).status_code == 200


def test_manager_uploads_a_photo_in_the_admin_and_it_is_resized(
    client: Client, room_type: RoomType, media_root: Any
) -> None:
    client.force_login(make_user("boss@example.com", Role.MANAGER))
    upload = SimpleUploadedFile("big.jpg", jpeg_bytes(2400, 1600), content_type="image/jpeg")
    response = client.post(
        f"/admin/rooms/roomtype/{room_type.pk}/change/",
        {
            "property": room_type.property_id,
            "name": room_type.name,
            "description": "",
            "capacity": 2,
            "nightly_rate": Decimal("100.00"),
            "photos-TOTAL_FORMS": 1,
            "photos-INITIAL_FORMS": 0,
            "photos-MIN_NUM_FORMS": 0,
            "photos-MAX_NUM_FORMS": 1000,
            "photos-0-original": upload,
            "photos-0-alt_text": "The double room",
            "photos-0-position": 0,
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    photo = RoomTypePhoto.objects.get()
    sizes = {
        name: Image.open(media_root / getattr(photo, name)).size
        for name in ("large", "medium", "thumb")
    }
    assert sizes == {"large": (1600, 1067), "medium": (800, 533), "thumb": (320, 213)}

    served = client.get(f"/media/{photo.medium}")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "The double room" in Client().get("/").content.decode()
    change_page = client.get(f"/admin/rooms/roomtype/{room_type.pk}/change/").content.decode()
    assert f'src="/media/{photo.thumb}"' in change_page


def test_not_an_image_is_refused_in_the_admin(
    client: Client, room_type: RoomType, media_root: Any
) -> None:
    client.force_login(make_user("boss@example.com", Role.MANAGER))
    response = client.post(
        f"/admin/rooms/roomtype/{room_type.pk}/change/",
        {
            "property": room_type.property_id,
            "name": room_type.name,
            "capacity": 2,
            "nightly_rate": "100.00",
            "photos-TOTAL_FORMS": 1,
            "photos-INITIAL_FORMS": 0,
            "photos-0-original": SimpleUploadedFile("x.jpg", b"not an image"),
            "photos-0-alt_text": "x",
            "photos-0-position": 0,
        },
    )
    assert response.status_code == 200
    assert "Upload a valid image" in response.content.decode()
    assert not RoomTypePhoto.objects.exists()


def test_503_problems_become_a_page_on_pages_and_stay_json_on_the_api() -> None:
    def maintenance(request: Any) -> HttpResponse:
        return problem_response(
            503, "maintenance", "Down for maintenance until 04:00.", headers={"Retry-After": "60"}
        )

    middleware = WebProblemMiddleware(maintenance)
    page = middleware(RequestFactory().get("/search/", headers={"Accept": "text/html"}))
    assert page.status_code == 503 and page["Retry-After"] == "60"
    assert page["Content-Type"].startswith("text/html")
    assert "Down for maintenance until 04:00." in page.content.decode()
    api = middleware(RequestFactory().get("/api/v1/rooms", headers={"Accept": "text/html"}))
    assert json.loads(api.content)["code"] == "maintenance"
    # A page fetched by a script (curl, monitors) keeps the machine-readable problem.
    script = middleware(RequestFactory().get("/search/", headers={"Accept": "*/*"}))
    assert script["Content-Type"] == "application/problem+json"


def test_a_guest_account_cannot_sign_in_at_the_desk(client: Client, guest: User) -> None:
    response = client.post("/desk/login/", {"username": guest.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "not front-desk staff" in response.content.decode()
    assert client.get("/desk/").status_code == 302


# --- money on the booking detail: ledger, balance, receipts, desk payments and refunds --------


@pytest.fixture
def priced(hotel: Property) -> PaymentPolicy:
    return PaymentPolicy.objects.create(
        property=hotel, tourist_tax_per_person_night=Decimal("2.50"), vat_percent=Decimal("10")
    )


def test_desk_records_a_payment_and_sees_ledger_balance_receipt_history(
    desk: Client, make_booking: Any, priced: PaymentPolicy, staff: User
) -> None:
    booking = make_booking()  # 300 room + 15 tourist tax
    url = f"/desk/bookings/{booking.reference}/"
    page = desk.get(url).content.decode()
    assert 'name="pay-amount" value="315.00"' in page  # prefilled with the balance due
    assert "No payments are recorded for this booking yet." in page

    done = desk.post(f"{url}payments/", {"pay-method": "cash", "pay-amount": "100"}, follow=True)
    html = done.content.decode()
    assert f"Recorded 100.00 EUR (cash) on booking {booking.reference}." in html
    entry = LedgerEntry.objects.get(booking=booking)
    assert (entry.kind, entry.settled, entry.actor) == ("recorded_at_desk", Decimal(100), staff)
    receipt = entry.receipt
    assert receipt.number in html and "Recorded at the desk" in html
    assert 'name="pay-amount" value="215.00"' in html
    assert "payment.recorded_at_desk" in html  # the audit row in the history
    pdf = desk.get(f"/desk/receipts/{receipt.number}/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert Client().get(f"/desk/receipts/{receipt.number}/").status_code == 302


def test_desk_payment_errors_sit_beside_the_fields(
    desk: Client, make_booking: Any, priced: PaymentPolicy
) -> None:
    booking = make_booking()
    url = f"/desk/bookings/{booking.reference}/payments/"
    response = desk.post(url, {"pay-amount": "lots"})
    assert response.status_code == 422
    html = response.content.decode()
    assert field_error(html, "pay-amount") == "Enter a number."
    assert field_error(html, "pay-method") == "This field is required."
    response = desk.post(url, {"pay-method": "card", "pay-amount": "999"})
    assert response.status_code == 422
    assert "at most the balance due" in field_error(response.content.decode(), "pay-amount")
    assert not Payment.objects.exists()


def test_desk_refund_needs_a_reason_and_an_amount_within_what_was_paid(
    desk: Client, make_booking: Any, priced: PaymentPolicy, staff: User
) -> None:
    booking = make_booking()
    desk_payment_then_confirm(
        reference=booking.reference, actor=staff, amount=Decimal(200), method="cash"
    )
    url = f"/desk/bookings/{booking.reference}/refunds/"
    response = desk.post(url, {"refund-amount": "50", "refund-reason": ""})
    assert response.status_code == 422
    assert (
        field_error(response.content.decode(), "refund-reason") == "Give a reason for the refund."
    )
    response = desk.post(url, {"refund-amount": "250", "refund-reason": "goodwill"})
    assert response.status_code == 422
    assert "at most 200.00 EUR" in field_error(response.content.decode(), "refund-amount")

    done = desk.post(url, {"refund-amount": "50", "refund-reason": "noisy room"}, follow=True)
    html = done.content.decode()
    assert f"Refund of 50.00 EUR issued on {booking.reference}." in html
    refund = LedgerEntry.objects.get(booking=booking, kind="refunded")
    assert refund.settled == Decimal(-50) and refund.note == "noisy room"
    assert "payment.refund_requested" in html and "noisy room" in html
    assert 'name="pay-amount" value="165.00"' in html  # 315 - 200 + 50


def test_read_only_mode_answers_the_money_forms_with_a_page(
    desk: Client, make_booking: Any, priced: PaymentPolicy, staff: User
) -> None:
    booking = make_booking()
    read_only_set(enabled=True, actor="ops@test")
    for form, data in (
        ("payments", {"pay-method": "cash", "pay-amount": "10"}),
        ("refunds", {"refund-amount": "10", "refund-reason": "x"}),
    ):
        response = desk.post(
            f"/desk/bookings/{booking.reference}/{form}/", data, headers={"Accept": "text/html"}
        )
        assert response.status_code == 503 and "Retry-After" in response
        assert response["Content-Type"].startswith("text/html")
        assert "read-only mode" in response.content.decode()
    assert not Payment.objects.exists()
    # Staff can still sign in to look around.
    signed_in = Client().post(
        "/desk/login/",
        {"username": staff.email, "password": PASSWORD},
        headers={"Accept": "text/html"},
    )
    assert signed_in.status_code == 302
