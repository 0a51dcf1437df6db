"""Issue 12 finding 11: no manage-link token, reset token or maintenance bypass secret in any
log line of a real `innkeeper serve` (its access log included), and the bypass secret is
stored as a keyed hash."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from innkeeper.ops.redact import REDACTED, RedactSecretsFilter
from innkeeper.testing.processes import InnkeeperServer, innkeeper_server, wait_until

SECRET = "bypass-7f3k2q9x"
BOGUS = "bogusToken1234567890xyz"
SETUP = """
from datetime import date, timedelta
from decimal import Decimal
from innkeeper.accounts.models import User
from django.contrib.auth.tokens import default_token_generator
from django.utils.http import urlsafe_base64_encode
from innkeeper.bookings.services import booking_create
from innkeeper.rooms.models import Property, Room, RoomType
from innkeeper.bookings.links import manage_token
prop = Property.objects.create(name="Riad Log", slug="riad-log", currency="EUR")
kind = RoomType.objects.create(property=prop, name="Double", capacity=2, nightly_rate=Decimal(90))
room = Room.objects.create(property=prop, room_type=kind, number="7")
start = date.today() + timedelta(days=20)
booking = booking_create(room_id=room.pk, check_in=start, check_out=start + timedelta(days=2),
    guests=1, created_by=None, guest_email="log@example.com", guest_name="Log")
user = User.objects.create_user(email="reset@example.com", password="a-long-password-1")
uid = urlsafe_base64_encode(str(user.pk).encode())
print(manage_token(booking), uid, default_token_generator.make_token(user))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InnkeeperServer]:
    with innkeeper_server(tmp_path_factory.mktemp("logs")) as running:
        yield running


def _log(server: InnkeeperServer) -> str:
    return Path(server.log).read_text()


def test_serve_logs_no_link_token_nor_bypass_secret(server: InnkeeperServer) -> None:
    token, uid, reset_token = server.cli("shell", "-c", SETUP).stdout.splitlines()[-1].split()
    base = server.base
    assert (
        requests.get(f"{base}/manage/{token}/", allow_redirects=False, timeout=5).status_code == 302
    )
    assert requests.get(f"{base}/manage/{BOGUS}/", timeout=5).status_code == 404
    reset = requests.get(
        f"{base}/account/reset/{uid}/{reset_token}/", allow_redirects=False, timeout=5
    )
    assert reset.status_code == 302

    server.cli("maintenance", "down", "--secret", SECRET)
    try:
        assert wait_until(
            lambda: (
                requests.get(f"{base}/{SECRET}", allow_redirects=False, timeout=5).status_code
                == 302
            ),
            5,
            0.2,
        )
    finally:
        server.cli("maintenance", "up")

    # The access lines of those requests are there, with the secrets taken out.
    assert wait_until(lambda: _log(server).count(f"/manage/{REDACTED}/") >= 2, 5, 0.1), _log(server)
    log = _log(server)
    assert f"/account/reset/{uid}/{REDACTED}/" in log
    assert f'"GET /{REDACTED} HTTP/1.1" 302' in log
    for secret in (token, BOGUS, reset_token, SECRET):
        assert secret not in log, secret


def test_filter_redacts_a_message_with_args() -> None:
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/manage/abc.def/",), None
    )
    assert RedactSecretsFilter().filter(record)
    assert record.getMessage() == f"Not Found: /manage/{REDACTED}/"


@pytest.mark.django_db
def test_bypass_secret_is_stored_as_a_keyed_hash(settings) -> None:
    from innkeeper.ops.maintenance import maintenance_enable, secret_matches, site_mode_row
    from innkeeper.ops.state import OpsState

    maintenance_enable(actor="test", secret=SECRET)
    stored = site_mode_row().secret_hash
    assert stored and stored != hashlib.sha256(SECRET.encode()).hexdigest()
    state = OpsState(maintenance=True, secret_hash=stored)
    assert secret_matches(state, SECRET)
    settings.SECRET_KEY = "another-key-" + "x" * 50
    assert not secret_matches(state, SECRET)  # useless without the server's key
