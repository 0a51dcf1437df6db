from __future__ import annotations

from innkeeper.rooms.models import Room


def test_public_room_list(anon, room):
    rooms = anon.get("/api/v1/rooms").json()
    assert rooms == [
        {
            "id": room.pk,
            "number": "101",
            "name": "Double 101",
            "property_id": room.property_id,
            "room_type": {
                "id": room.room_type_id,
                "property_id": room.property_id,
                "name": "Double",
                "description": "",
                "capacity": 2,
                "nightly_rate": "100.00",
            },
            "capacity": 2,
            "nightly_rate": "100.00",
            "currency": "EUR",
            "is_active": True,
        }
    ]


def test_staff_manage_rooms_and_types(staff_api, guest_api, hotel, room):
    new_type = staff_api.post(
        "/api/v1/room-types",
        {"property_id": hotel.pk, "name": "Suite", "capacity": 4, "nightly_rate": "250.00"},
    )
    assert new_type.status_code == 201
    type_id = new_type.json()["id"]
    created = staff_api.post("/api/v1/rooms", {"room_type_id": type_id, "number": "401"})
    assert created.status_code == 201 and created.json()["capacity"] == 4
    patched = staff_api.patch(f"/api/v1/rooms/{created.json()['id']}", {"is_active": False})
    assert patched.json()["is_active"] is False
    rate = staff_api.patch(f"/api/v1/room-types/{type_id}", {"nightly_rate": "199.99"})
    assert rate.json()["nightly_rate"] == "199.99"
    dup = staff_api.post("/api/v1/rooms", {"room_type_id": type_id, "number": "101"})
    assert dup.status_code == 409 and dup.json()["code"] == "duplicate"
    forbidden = guest_api.post("/api/v1/rooms", {"room_type_id": type_id, "number": "402"})
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "staff_only"
    negative = staff_api.patch(f"/api/v1/room-types/{type_id}", {"nightly_rate": "-1"})
    assert negative.status_code == 422
    assert Room.objects.filter(number="402").count() == 0
