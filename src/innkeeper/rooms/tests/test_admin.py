from __future__ import annotations

from django.test import Client

from innkeeper.rooms.models import Room


def test_room_admin_creates_and_rejects_duplicates_on_the_form(room, room_type, db):
    from innkeeper.accounts.models import Role
    from innkeeper.conftest import make_user

    client = Client()
    client.force_login(make_user("boss@example.com", Role.MANAGER))
    created = client.post(
        "/admin/rooms/room/add/", {"room_type": room_type.pk, "number": "102", "is_active": "on"}
    )
    assert created.status_code == 302
    assert Room.objects.get(number="102").property == room_type.property
    duplicate = client.post(
        "/admin/rooms/room/add/", {"room_type": room_type.pk, "number": "101", "is_active": "on"}
    )
    assert duplicate.status_code == 200 and "exists already" in duplicate.content.decode()
    edited = client.post(
        f"/admin/rooms/room/{room.pk}/change/", {"room_type": room_type.pk, "number": "101A"}
    )
    assert edited.status_code == 302
    room.refresh_from_db()
    assert (room.number, room.is_active) == ("101A", False)
