"""Shared fixtures. The whole suite runs twice in `make test`: on an SQLite file and on the
real PostgreSQL (DATABASE_URL), so every integrity test covers both engines."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from innkeeper.accounts.models import Role, User
from innkeeper.accounts.services import token_issue
from innkeeper.bookings.models import Booking
from innkeeper.bookings.rules import property_today
from innkeeper.bookings.services import booking_create
from innkeeper.ops.state import OpsState, forget_state, pinned_state
from innkeeper.rooms.models import PaymentPolicy, Property, Room, RoomType

PASSWORD = "a-long-test-password-42"


@pytest.fixture(scope="session", autouse=True)
def _backups_outside_var(tmp_path_factory: pytest.TempPathFactory) -> None:
    """No backup lands in var/: not from a test, nor from a child process it starts (an
    `innkeeper serve` runs the scheduler, whose nightly backup is due at once)."""
    folder = tmp_path_factory.mktemp("backups")
    os.environ["BACKUP_DIR"] = str(folder)
    # Child servers skip the nightly backup and drill: a drill cut off when a test stops its
    # server would leave a scratch database behind. ops/tests/test_backup_checks.py runs both.
    os.environ["BACKUP_SCHEDULE"] = "false"
    django_settings.BACKUP_DIR = folder
    # Restores put media back: into a temporary MEDIA_ROOT, never var/media.
    media = tmp_path_factory.mktemp("media")
    os.environ["MEDIA_ROOT"] = str(media)
    django_settings.MEDIA_ROOT = media
    django_settings.BACKUP_SCHEDULE = False
    # ...and this process's schedule matches its children's (tests compare the two).
    from innkeeper.jobs.schedule import PERIODIC_JOBS

    for name in ("ops.backup", "ops.restore_drill"):
        PERIODIC_JOBS.pop(name, None)


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashing() -> None:
    """Passwords hashed in this process take a millisecond, not 0.35 s (innkeeper.testing.
    hashers); tests may still switch hashers with the `settings` fixture."""
    from django.test.signals import setting_changed

    default = "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    django_settings.PASSWORD_HASHERS = [
        "innkeeper.testing.hashers.QuickPBKDF2PasswordHasher",
        *(name for name in django_settings.PASSWORD_HASHERS if name != default),
    ]
    # Django's own receiver forgets the hashers it built from the old list.
    setting_changed.send(
        sender=None, setting="PASSWORD_HASHERS", value=django_settings.PASSWORD_HASHERS, enter=True
    )


@pytest.fixture
def backup_dir(settings: Any, tmp_path: Any) -> Any:
    """A fresh, empty BACKUP_DIR for one test (pass it as BACKUP_DIR to child processes)."""
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.BACKUP_DIR


DB_FIXTURES = frozenset({"db", "transactional_db", "django_db_reset_sequences", "live_server"})
# Fixtures through which a test reaches the test database (and so the engine under test).
ENGINE_FIXTURES = DB_FIXTURES | {"django_db_serialized_rollback", "django_db_setup"}


def uses_engine(item: pytest.Item) -> bool:
    """Whether a test can depend on the engine under test: it uses the test database (the
    `django_db` mark or a database fixture, itself or through its fixtures) or says so with
    the `engine` mark. Any other test cannot reach DATABASE_URL's database."""
    if item.get_closest_marker("django_db") or item.get_closest_marker("engine"):
        return True
    return bool(ENGINE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`make test` runs the suite on both engines at once; a test that does not use the engine
    (uses_engine) gives the same result on both, so with ENGINE_INDEPENDENT_ELSEWHERE=1 (the
    PostgreSQL pass) it is left to the SQLite pass instead of running twice."""
    if os.environ.get("ENGINE_INDEPENDENT_ELSEWHERE") != "1":
        return
    keep: list[pytest.Item] = []
    elsewhere: list[pytest.Item] = []
    for item in items:
        (keep if uses_engine(item) else elsewhere).append(item)
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = keep


@pytest.fixture(autouse=True)
def _ops_state_without_db(request: pytest.FixtureRequest) -> Iterator[None]:
    """The ops middleware reads the maintenance/blocklist state from the database (cached
    per process for a second): tests with a database start and end with a fresh read, since
    their rows roll back; tests without one get the default (normal) state."""
    if request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames):
        forget_state()
        yield
        forget_state()
        return
    with pinned_state(OpsState()):
        yield


@pytest.fixture
def db_vendor(db: None) -> str:
    return connection.vendor


@pytest.fixture
def hotel(db: None) -> Property:
    return Property.objects.create(
        name="Riad Test", slug="riad-test", time_zone="Africa/Casablanca", currency="EUR"
    )


@pytest.fixture
def policy(hotel: Property) -> PaymentPolicy:
    """Riad rules: 2.50 tourist tax per person per night, 10% VAT, first night as deposit,
    free cancellation until 48 h before check-in, then the first night is kept."""
    return PaymentPolicy.objects.create(
        property=hotel,
        tourist_tax_per_person_night=Decimal("2.50"),
        vat_percent=Decimal("10"),
        deposit_kind="first_night",
        free_cancellation_hours=48,
        late_cancel_kind="first_night",
    )


@pytest.fixture
def room_type(hotel: Property) -> RoomType:
    return RoomType.objects.create(
        property=hotel, name="Double", capacity=2, nightly_rate=Decimal("100.00")
    )


@pytest.fixture
def room(room_type: RoomType) -> Room:
    return Room.objects.create(property=room_type.property, room_type=room_type, number="101")


@pytest.fixture
def today(hotel: Property) -> date:
    return property_today(hotel)


@pytest.fixture
def stay(today: date) -> tuple[date, date]:
    """A three-night stay a week from now."""
    return today + timedelta(days=7), today + timedelta(days=10)


def make_user(email: str, role: str = Role.GUEST) -> User:
    return User.objects.create_user(
        email=email, password=PASSWORD, name=email.split("@")[0], role=role
    )


@pytest.fixture
def guest(db: None) -> User:
    return make_user("guest@example.com")


@pytest.fixture
def staff(db: None) -> User:
    return make_user("desk@example.com", Role.FRONT_DESK)


@pytest.fixture
def make_booking(room: Room, guest: User, stay: tuple[date, date]) -> Callable[..., Booking]:
    def make(**overrides: Any) -> Booking:
        fields: dict[str, Any] = {
            "room_id": room.pk,
            "check_in": stay[0],
            "check_out": stay[1],
            "guests": 2,
            "created_by": guest,
            "guest": guest,
        }
        fields.update(overrides)
        return booking_create(**fields)

    return make


class ApiClient:
    """Django's test client speaking JSON with an optional bearer token."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        merged = dict(headers or {})
        if self.token:
            merged.setdefault("Authorization", f"Bearer {self.token}")
        return merged

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self._headers(None))

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        raw: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        data = raw if raw is not None else ("" if body is None else json.dumps(body, default=str))
        return self.client.post(
            path, data, content_type="application/json", headers=self._headers(headers)
        )

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(
            path,
            json.dumps(body, default=str),
            content_type="application/json",
            headers=self._headers(None),
        )


@pytest.fixture
def anon(db: None) -> ApiClient:
    return ApiClient()


@pytest.fixture
def guest_api(guest: User) -> ApiClient:
    return ApiClient(token_issue(user=guest).token)


@pytest.fixture
def staff_api(staff: User) -> ApiClient:
    return ApiClient(token_issue(user=staff).token)


# --- rate limits: off for the suite, on only where a test asks for them -------------------------


@pytest.fixture(autouse=True)
def _rate_limits_off(settings: Any) -> None:
    """The whole suite talks from 127.0.0.1; without this, unrelated tests would share (and
    exhaust) one IP's counters. Tests about limits take the `rate_limits` fixture."""
    settings.RATE_LIMITS_ENABLED = False


@pytest.fixture
def rate_limits(settings: Any) -> Any:
    """Rate limits on, with fresh counters under a key prefix of this test's own (so a shared
    Redis, if REDIS_URL is set, is never polluted); yields the settings to tweak limits."""
    from uuid import uuid4

    from innkeeper.ops.ratelimit.limiter import get_limiter

    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMIT_KEY_PREFIX = f"rate-test-{uuid4().hex[:12]}"
    yield settings
    limiter = get_limiter()
    limiter.memory.reset()
    if limiter.redis is not None:
        from contextlib import suppress

        from redis.exceptions import RedisError

        # Deletes only keys under this test's prefix; a private Redis the test has stopped
        # has nothing left to clean.
        with suppress(RedisError):
            limiter.redis.reset()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per test module (browser tests only: imported when used)."""
    from innkeeper.testing.browser import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """Makes fresh pages, each in its own context (cookie jar); closed after the test."""
    from innkeeper.testing.browser import page_factory

    with page_factory(browser) as make:
        yield make
