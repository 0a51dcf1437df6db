"""Demo data for a first look: one riad with rooms of three types and two staff logins."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from innkeeper.accounts.models import Role, User
from innkeeper.rooms.models import Property, Room, RoomType

DEMO_SLUG = "riad-demo"
STAFF_EMAIL = "frontdesk@innkeeper.local"
MANAGER_EMAIL = "manager@innkeeper.local"
ROOM_TYPES = [
    # name, capacity, nightly rate, room numbers
    ("Courtyard Double", 2, Decimal("95.00"), ["101", "102", "103", "104"]),
    ("Terrace Suite", 3, Decimal("160.00"), ["201", "202"]),
    ("Family Room", 5, Decimal("210.00"), ["301"]),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: str


def demo_password() -> str:
    """One password for the demo staff, kept in var/ so every start can print it."""
    path = settings.VAR_DIR / "demo_password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def demo_exists() -> bool:
    return Property.objects.filter(slug=DEMO_SLUG).exists()


@transaction.atomic
def demo_load() -> list[DemoLogin]:
    prop, _ = Property.objects.get_or_create(
        slug=DEMO_SLUG,
        defaults={
            "name": "Riad Dar Innkeeper",
            "time_zone": "Africa/Casablanca",
            "currency": "EUR",
            "check_in_time": time(14, 0),
            "check_out_time": time(11, 0),
            "address": "12 Derb Demo, Medina, Marrakech",
            "email": "stay@innkeeper.local",
            "description": "A seven-room riad around a courtyard with a plunge pool.",
        },
    )
    for name, capacity, rate, numbers in ROOM_TYPES:
        room_type, _ = RoomType.objects.get_or_create(
            property=prop, name=name, defaults={"capacity": capacity, "nightly_rate": rate}
        )
        for number in numbers:
            Room.objects.get_or_create(
                property=prop, number=number, defaults={"room_type": room_type}
            )
    password = demo_password()
    logins = []
    for email, role in ((STAFF_EMAIL, Role.FRONT_DESK), (MANAGER_EMAIL, Role.MANAGER)):
        user = User.objects.filter(email=email).first() or User(email=email)
        user.name, user.role = role.label, role
        user.set_password(password)
        user.save()
        logins.append(DemoLogin(email=email, password=password, role=role.label))
    return logins
