"""Issue 13 §2 through the API: POST /api/v1/bookings/{reference}/change (and ?dry_run)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django_tasks_db.models import DBTaskResult

from innkeeper.bookings.models import BookingCharges
from innkeeper.core.models import AuditEvent
from innkeeper.flows.deposit_paid_then_confirm import desk_payment_then_confirm
from innkeeper.payments.models import Payment
from innkeeper.rooms.models import Room


@pytest.fixture
def room_102(room):
    return Room.objects.create(property=room.property, room_type=room.room_type, number="102")


def _url(booking, dry_run: bool = False) -> str:
    return f"/api/v1/bookings/{booking.reference}/change" + ("?dry_run=true" if dry_run else "")


def _change_jobs() -> int:
    return DBTaskResult.objects.filter(args_kwargs__kwargs__kind="booking_changed").count()


def test_dry_run_quotes_and_changes_nothing(policy, guest_api, make_booking, stay):
    booking = make_booking()
    body = {"check_out": str(stay[1] + timedelta(days=1))}
    response = guest_api.post(_url(booking, dry_run=True), body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["applied"] is False
    assert data["before"]["total"] == "315.00" and data["after"]["total"] == "420.00"
    assert data["after"]["nights"] == 4 and data["after"]["tourist_tax"] == "20.00"
    assert data["difference"] == "105.00"
    assert data["paid"] == "0.00" and data["balance_due"] == "420.00"
    assert data["booking"]["check_out"] == str(stay[1])
    booking.refresh_from_db()
    assert booking.check_out == stay[1]
    assert BookingCharges.objects.get(booking=booking).total == Decimal("315.000")
    assert not AuditEvent.objects.filter(action="booking.changed").exists()
    assert _change_jobs() == 0


def test_change_applies_once_per_idempotency_key(guest_api, make_booking, room_102, guest):
    booking = make_booking()
    headers = {"Idempotency-Key": "change-1"}
    first = guest_api.post(_url(booking), {"room_id": room_102.pk}, headers=headers)
    assert first.status_code == 200, first.content
    data = first.json()
    assert data["applied"] is True
    assert data["booking"]["room_number"] == "102"
    assert data["before"]["room_number"] == "101"
    again = guest_api.post(_url(booking), {"room_id": room_102.pk}, headers=headers)
    assert again.status_code == 200 and again.json() == data
    other = guest_api.post(_url(booking), {"room_id": room_102.pk, "guests": 1}, headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert AuditEvent.objects.filter(action="booking.changed").count() == 1
    audit = AuditEvent.objects.get(action="booking.changed")
    assert audit.actor == guest and audit.source == "api"
    assert audit.details["changes"]["room_number"] == ["101", "102"]
    assert booking.events.filter(action="booking.changed").count() == 1
    assert _change_jobs() == 1


def test_overlap_is_409_problem_and_booking_unchanged(guest_api, make_booking, room_102, stay):
    make_booking(room_id=room_102.pk)
    booking = make_booking(check_in=stay[1], check_out=stay[1] + timedelta(days=1))
    response = guest_api.post(
        _url(booking), {"room_id": room_102.pk, "check_in": str(stay[0] + timedelta(days=1))}
    )
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "room_unavailable"
    booking.refresh_from_db()
    assert (booking.room.number, booking.check_in) == ("101", stay[1])
    assert _change_jobs() == 0


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 422, "nothing_to_change"),
        ({"guests": 9}, 422, "too_many_guests"),
        ({"room_id": 999999}, 404, "room_not_found"),
        ({"room_type_id": 999999}, 404, "room_type_not_found"),
        ({"keep_price": True, "guests": 1}, 403, "staff_only"),
        ({"colour": "red"}, 422, None),
        ({"guests": "2"}, 422, None),
    ],
)
def test_refusals_are_problems(guest_api, make_booking, body, status, code):
    booking = make_booking()
    response = guest_api.post(_url(booking), body)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    if code:
        assert response.json()["code"] == code


def test_others_bookings_look_missing(api_for_other, make_booking):
    booking = make_booking()
    response = api_for_other.post(_url(booking), {"guests": 1})
    assert response.status_code == 404
    assert response.json()["code"] == "booking_not_found"


@pytest.fixture
def api_for_other(db):
    from innkeeper.accounts.services import token_issue
    from innkeeper.conftest import ApiClient, make_user

    return ApiClient(token_issue(user=make_user("other@example.com")).token)


def test_shorter_stay_refunds_the_difference_once(staff_api, staff, make_booking, stay):
    booking = make_booking()
    desk_payment_then_confirm(
        reference=booking.reference, actor=staff, amount=Decimal("300.00"), method="card"
    )
    headers = {"Idempotency-Key": "shorter"}
    body = {"check_out": str(stay[1] - timedelta(days=1)), "reason": "left early"}
    response = staff_api.post(_url(booking), body, headers=headers)
    assert response.status_code == 200, response.content
    assert response.json()["refund"] == "100.00"
    assert staff_api.post(_url(booking), body, headers=headers).json() == response.json()
    refunds = Payment.objects.filter(booking=booking, purpose="refund")
    assert [(r.amount, r.status) for r in refunds] == [(Decimal("100.000"), "succeeded")]
    statement = staff_api.get(f"/api/v1/bookings/{booking.reference}/payments").json()
    assert statement["total"] == "200.00" and statement["paid"] == "200.00"


def test_openapi_documents_the_change(anon):
    schema = anon.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/bookings/{reference}/change"]["post"]
    assert {"200", "403", "404", "409", "422"} <= set(operation["responses"])
    assert any(p["name"] == "dry_run" for p in operation["parameters"])
    change_in = schema["components"]["schemas"]["ChangeIn"]
    assert change_in["properties"]["reason"]["maxLength"] == 300
