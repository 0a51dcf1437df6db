"""The public booking API: happy paths, lifecycle, and bad input that never becomes a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings

from innkeeper.accounts.services import token_issue
from innkeeper.bookings.models import Booking, BookingEvent
from innkeeper.conftest import ApiClient, make_user

URL = "/api/v1/bookings"


def _body(room, check_in, check_out, guests=2, **extra):
    return {
        "room_id": room.pk,
        "check_in": str(check_in),
        "check_out": str(check_out),
        "guests": guests,
        **extra,
    }


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.content.decode()
    return body


def test_book_read_list_cancel(guest_api, room, stay):
    created = guest_api.post(URL, _body(room, *stay))
    assert created.status_code == 201, created.content
    booking = created.json()
    assert booking["status"] == "confirmed"
    assert booking["nights"] == 3 and booking["total_price"] == "300.00"
    reference = booking["reference"]

    assert guest_api.get(f"{URL}/{reference}").json()["reference"] == reference
    listed = guest_api.get(URL).json()
    assert listed["count"] == 1 and listed["items"][0]["reference"] == reference

    cancelled = guest_api.post(f"{URL}/{reference}/cancel", {"reason": "plans changed"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    # The dates are free again at once.
    assert guest_api.post(URL, _body(room, *stay)).status_code == 201


def test_second_user_gets_409_room_unavailable(guest_api, room, stay):
    assert guest_api.post(URL, _body(room, *stay)).status_code == 201
    other = ApiClient(token_issue(user=make_user("other@example.com")).token)
    _problem(
        other.post(URL, _body(room, stay[0] + timedelta(days=1), stay[1])), 409, "room_unavailable"
    )


def test_back_to_back_stays_both_succeed(guest_api, room, stay):
    assert guest_api.post(URL, _body(room, *stay)).status_code == 201
    assert guest_api.post(URL, _body(room, stay[1], stay[1] + timedelta(days=2))).status_code == 201
    assert guest_api.post(URL, _body(room, stay[0] - timedelta(days=2), stay[0])).status_code == 201


def test_guests_see_only_their_own_bookings(guest_api, make_booking, staff_api):
    booking = make_booking()
    stranger = ApiClient(token_issue(user=make_user("stranger@example.com")).token)
    _problem(stranger.get(f"{URL}/{booking.reference}"), 404, "booking_not_found")
    _problem(stranger.post(f"{URL}/{booking.reference}/cancel"), 404, "booking_not_found")
    assert stranger.get(URL).json()["count"] == 0
    assert staff_api.get(URL).json()["count"] == 1


def test_staff_lifecycle_and_illegal_transitions(guest_api, staff_api, make_booking, today):
    booking = make_booking(check_in=today, check_out=today + timedelta(days=2))
    ref = booking.reference
    _problem(guest_api.post(f"{URL}/{ref}/check-in"), 403, "staff_only")
    assert staff_api.post(f"{URL}/{ref}/check-in").json()["status"] == "checked_in"
    _problem(staff_api.post(f"{URL}/{ref}/cancel"), 409, "invalid_transition")
    _problem(staff_api.post(f"{URL}/{ref}/no-show"), 409, "invalid_transition")
    # The guest owes the stay: check-out waits for the payment (payments/tests/test_folio*).
    _problem(staff_api.post(f"{URL}/{ref}/check-out"), 409, "balance_due")
    pay = {"provider": "pay_at_property", "purpose": "balance", "method": "cash"}
    assert staff_api.post(f"{URL}/{ref}/payments", pay).status_code == 201
    assert staff_api.post(f"{URL}/{ref}/check-out").json()["status"] == "checked_out"
    actions = list(BookingEvent.objects.filter(booking=booking).values_list("action", flat=True))
    assert actions == ["booking.created", "booking.checked_in", "booking.checked_out"]


def test_check_in_before_arrival_day_is_refused(staff_api, make_booking):
    booking = make_booking()
    _problem(staff_api.post(f"{URL}/{booking.reference}/check-in"), 409, "outside_stay_dates")


def test_pending_booking_confirmed_by_staff(guest_api, staff_api, room, stay):
    room.property.instant_booking = False
    room.property.save()
    created = guest_api.post(URL, _body(room, *stay)).json()
    assert created["status"] == "pending" and created["expires_at"]
    confirmed = staff_api.post(f"{URL}/{created['reference']}/confirm")
    assert confirmed.json()["status"] == "confirmed"


def test_staff_filters_by_status_and_dates(staff_api, make_booking, stay):
    make_booking()
    later = make_booking(
        check_in=stay[1] + timedelta(days=5), check_out=stay[1] + timedelta(days=6)
    )
    staff_api.post(f"{URL}/{later.reference}/cancel")
    assert staff_api.get(URL, status="cancelled").json()["count"] == 1
    window = staff_api.get(URL, date_from=str(stay[0]), date_to=str(stay[0] + timedelta(days=1)))
    assert [b["reference"] for b in window.json()["items"]] != [later.reference]
    assert window.json()["count"] == 1


def test_idempotency_key_replays_and_rejects_other_body(guest_api, room, stay):
    headers = {"Idempotency-Key": "k-123"}
    first = guest_api.post(URL, _body(room, *stay), headers=headers)
    again = guest_api.post(URL, _body(room, *stay), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Booking.objects.count() == 1
    _problem(
        guest_api.post(URL, _body(room, stay[0], stay[1], guests=1), headers=headers),
        422,
        "idempotency_key_reused",
    )


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        ("{not json", 400, "malformed_request"),
        ('{"room_id": 1}', 422, "invalid_input"),
        ('["a", "list"]', 422, "invalid_input"),
    ],
)
def test_malformed_bodies(guest_api, room, raw, status, code):
    _problem(guest_api.post(URL, raw=raw), status, code)


def test_bad_stays_are_4xx_problems(guest_api, room, today, stay):
    cases = [
        (_body(room, stay[0], stay[0]), 422, "invalid_dates"),
        (_body(room, stay[1], stay[0]), 422, "invalid_dates"),
        (_body(room, today - timedelta(days=1), today + timedelta(days=1)), 422, "date_in_past"),
        (
            _body(room, stay[0], stay[0] + timedelta(days=settings.BOOKING_MAX_NIGHTS + 1)),
            422,
            "stay_too_long",
        ),
        (
            _body(
                room,
                today + timedelta(days=settings.BOOKING_HORIZON_DAYS + 1),
                today + timedelta(days=settings.BOOKING_HORIZON_DAYS + 2),
            ),
            422,
            "beyond_horizon",
        ),
        (_body(room, stay[0], stay[1], guests=3), 422, "too_many_guests"),
        (_body(room, stay[0], stay[1], guests=0), 422, "invalid_input"),
        (_body(room, *stay, surprise="field"), 422, "invalid_input"),
        ({**_body(room, *stay), "check_in": "2026-02-30"}, 422, "invalid_input"),
        ({**_body(room, *stay), "room_id": 999_999}, 404, "room_not_found"),
        ({**_body(room, *stay), "room_id": "abc"}, 422, "invalid_input"),
    ]
    for body, status, code in cases:
        _problem(guest_api.post(URL, body), status, code)
    assert Booking.objects.count() == 0


def test_inactive_room_cannot_be_booked(guest_api, room, stay):
    room.is_active = False
    room.save()
    _problem(guest_api.post(URL, _body(room, *stay)), 409, "room_unavailable")


def test_tokens_missing_bad_and_revoked(anon, guest_api, room, stay):
    _problem(anon.post(URL, _body(room, *stay)), 401, "unauthorized")
    _problem(ApiClient("ik_not-a-real-token").get(URL), 401, "unauthorized")
    assert guest_api.post("/api/v1/auth/logout").status_code == 204
    _problem(guest_api.get(URL), 401, "unauthorized")


def test_dates_must_be_iso_strings(guest_api, room, stay):
    _problem(guest_api.get(URL, date_to="0"), 422, "invalid_input")
    body = _problem(
        guest_api.post(URL, {**_body(room, *stay), "check_in": 0}), 422, "invalid_input"
    )
    assert body["field"] == "check_in"


def test_wrong_method_is_405_with_allow_header(guest_api):
    response = guest_api.client.put("/api/v1/bookings")
    _problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"] and "POST" in response["Allow"]


def test_unknown_reference_and_unknown_path(guest_api):
    _problem(guest_api.get(f"{URL}/IK-NOPE"), 404, "booking_not_found")
    _problem(guest_api.get("/api/v1/no-such-thing"), 404, "not_found")
