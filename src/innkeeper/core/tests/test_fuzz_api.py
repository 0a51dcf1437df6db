"""Schemathesis against every operation of /api/v1/openapi.json (issue 12, finding 16).

In process (WSGI) inside the test database, as a guest and as staff: each operation with
examples, boundary values (coverage) and generated data, positive and negative, then the
stateful phase, which chains operations through the links schemathesis infers (a booking
created, then read, paid, cancelled...). It must find no server error, no undeclared status,
no response that breaks its schema, no schema-violating request accepted, and no request
that the schema allows refused by validation (the description is truthful).

The seed is fixed (FUZZ_SEED) so CI is reproducible; `test_random_seed` adds a few examples
from a fresh seed, printed on failure: rerun with FUZZ_SEED=<seed> to reproduce. Run alone:
    .venv/bin/pytest -m fuzz -p no:cacheprovider
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from requests.structures import CaseInsensitiveDict
from schemathesis import Case, CheckContext, Response

from innkeeper.accounts.models import Role
from innkeeper.accounts.services import token_issue
from innkeeper.api import api
from innkeeper.bookings.rules import property_today
from innkeeper.bookings.services import booking_create
from innkeeper.conftest import make_user
from innkeeper.rooms.models import Property, Room, RoomType

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

SEED = int(os.environ.get("FUZZ_SEED", "20261130"))
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "8"))
STATEFUL_EXAMPLES = int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", "12"))


def _config(seed: int, max_examples: int, *, coverage: bool = True) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": seed,
            "suppress-health-check": ["all"],
            # No example database written into the checkout; no shrinking (a failure prints
            # its curl reproduction either way).
            "generation": {"max-examples": max_examples, "database": "none", "no-shrink": True},
            "phases": {"coverage": {"enabled": coverage}},
            "checks": {
                # Replaced by `validation_agrees_with_schema`: business rules (a stay in the
                # past, a refund larger than what was paid) are 422s no schema can express.
                "positive_data_acceptance": {"enabled": False},
            },
        }
    )


def _load(config: schemathesis.Config) -> Any:
    raw = json.loads(json.dumps(api.get_openapi_schema(), default=str))
    loaded = schemathesis.openapi.from_dict(raw, config=config)
    loaded.app = WSGIHandler()
    return loaded


schema = _load(_config(SEED, MAX_EXAMPLES))


def validation_agrees_with_schema(ctx: CheckContext, response: Response, case: Case) -> bool:
    """A request the schema allows must get past validation: a 422 that lists pydantic
    `errors` means the schema is looser than what the API accepts."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return True
    body = response.json()
    if "errors" in body:
        raise AssertionError(f"Schema-valid request refused by validation: {body['detail']}")
    return True


CHECKS: list[Callable[[CheckContext, Response, Case], bool | None]] = [
    validation_agrees_with_schema
]


# The bearer header schemathesis sends (through its auth hook, so its own auth checks know
# which header is the credential): set per test by the `as_guest`/`as_staff` fixtures.
BEARER: dict[str, str] = {}


@schema.auth(refresh_interval=None, retry_on=[])
class Bearer:
    def get(self, case: Case, context: Any) -> str:
        return BEARER.get("current", "")

    def set(self, case: Case, data: str, context: Any) -> None:
        headers = CaseInsensitiveDict(case.headers or {})
        headers["Authorization"] = data
        case.headers = headers


def _build_world() -> dict[str, str]:
    hotel = Property.objects.create(name="Riad Fuzz", slug="riad-fuzz", time_zone="UTC")
    double = RoomType.objects.create(
        property=hotel, name="Double", capacity=2, nightly_rate=Decimal("90.00")
    )
    Room.objects.bulk_create(
        Room(property=hotel, room_type=double, number=str(n)) for n in (101, 102, 103)
    )
    guest = make_user("guest@example.com")
    staff = make_user("desk@example.com", Role.FRONT_DESK)
    start = property_today(hotel) + timedelta(days=3)
    for offset, room in enumerate(Room.objects.all()):
        booking_create(
            room_id=room.pk,
            check_in=start + timedelta(days=offset),
            check_out=start + timedelta(days=offset + 2),
            guests=2,
            created_by=guest,
            guest=guest,
        )
    return {
        "guest": f"Bearer {token_issue(user=guest).token}",
        "staff": f"Bearer {token_issue(user=staff).token}",
    }


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, str]]:
    """One hotel with rooms and bookings, a guest and a desk clerk, made once for the module
    inside a transaction rolled back at its end (each test nests its own savepoint, as
    Django's setUpTestData does). Requests run in process: like Django's test client, they
    must not close the connection that holds this transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    fast = override_settings(
        # Stripe configured: a bad signature is a 400. Fast hashing: hundreds of logins.
        STRIPE_WEBHOOK_SECRET="whsec_fuzz",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    try:
        with fast, django_db_blocker.unblock(), transaction.atomic():
            yield _build_world()
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(params=["guest", "staff"])
def role(request: pytest.FixtureRequest, world: dict[str, str], db: None) -> Iterator[str]:
    BEARER["current"] = world[request.param]
    yield request.param
    BEARER.clear()


@schema.parametrize()
def test_operation(case: Case, role: str) -> None:
    case.call_and_validate(additional_checks=CHECKS)


def _run_state_machine(loaded: Any, seed: int, examples: int) -> None:
    base = loaded.as_state_machine()

    class Machine(base):  # type: ignore[valid-type, misc]
        def validate_response(self, response: Response, case: Case, **kwargs: Any) -> None:
            super().validate_response(response, case, additional_checks=CHECKS, **kwargs)

    settings = hypothesis.settings(
        max_examples=examples,
        stateful_step_count=6,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    hypothesis.seed(seed)(Machine.TestCase)
    Machine.run(settings=settings)


def test_stateful(role: str) -> None:
    _run_state_machine(schema, SEED, STATEFUL_EXAMPLES)


def test_random_seed(role: str) -> None:
    """A few examples from a fresh seed each run, so CI keeps exploring new inputs."""
    seed = random.randrange(2**32)
    loaded = _load(_config(seed, 2, coverage=False))
    failures: list[str] = []
    for result in loaded.get_all_operations():
        operation = result.ok()
        strategy = operation.as_strategy()

        @hypothesis.settings(max_examples=2, database=None, deadline=None)
        @hypothesis.seed(seed)
        @hypothesis.given(strategy)
        def check(case: Case) -> None:
            case.call_and_validate(
                headers={"Authorization": BEARER["current"]}, additional_checks=CHECKS
            )

        try:
            check()
        except Exception as error:
            failures.append(f"{operation.label}: {error}")
    assert failures == [], f"FUZZ_SEED={seed} reproduces:\n" + "\n".join(failures)
