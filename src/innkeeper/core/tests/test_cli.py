"""The `innkeeper` console script, run as a real subprocess on its own SQLite file."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

INNKEEPER = str(Path(sys.executable).parent / "innkeeper")


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    var = tmp_path_factory.mktemp("var")
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(INNKEEPER_VAR_DIR=str(var), DATABASE_URL=f"sqlite:///{var / 'cli.sqlite3'}")
    run(env, "migrate", "--no-input")
    return env


def run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [INNKEEPER, *args], env=env, capture_output=True, text=True, timeout=120
    )
    if check and result.returncode != 0:
        raise AssertionError(f"innkeeper {' '.join(args)} -> {result.returncode}\n{result.stderr}")
    return result


def test_demo_prints_logins_and_is_repeatable(cli_env):
    first = run(cli_env, "demo", "--if-empty")
    assert "frontdesk@innkeeper.local" in first.stdout and "password:" in first.stdout
    again = run(cli_env, "demo", "--if-empty")
    assert "already loaded" in again.stdout


def test_verify_passes_then_reports_overlaps(cli_env):
    run(cli_env, "demo", "--if-empty")
    ok = run(cli_env, "bookings", "verify")
    assert "OK: no overlapping active bookings" in ok.stdout

    # Simulate a database whose guard was lost, then double-book room 101 behind its back.
    db = sqlite3.connect(cli_env["DATABASE_URL"].removeprefix("sqlite:///"))
    db.execute("DROP TRIGGER booking_no_overlap_insert")
    start = date.today() + timedelta(days=40)
    for ref, shift in (("IK-AAAAAAAA", 0), ("IK-BBBBBBBB", 1)):
        db.execute(
            "INSERT INTO bookings_booking (reference, property_id, room_id, guest_name,"
            " guest_email, guest_phone, guests, check_in, check_out, nights, total_price,"
            " currency, status, notes, cancel_reason, created_at, updated_at)"
            " SELECT ?, r.property_id, r.id, 'X', 'x@example.com', '', 1, ?, ?, 2, 190,"
            " 'EUR', 'confirmed', '', '',"
            " datetime('now'), datetime('now') FROM rooms_room r WHERE r.number = '101'",
            (ref, str(start + timedelta(days=shift)), str(start + timedelta(days=shift + 2))),
        )
    db.commit()
    db.close()

    bad = run(cli_env, "bookings", "verify", check=False)
    assert bad.returncode == 1
    assert "OVERLAP room 101: IK-AAAAAAAA" in bad.stdout and "IK-BBBBBBBB" in bad.stdout
    assert "guard is MISSING" in bad.stdout
    as_json = json.loads(run(cli_env, "bookings", "verify", "--json", check=False).stdout)
    assert as_json["database_guard_installed"] is False
    assert as_json["overlaps"][0]["first"] == "IK-AAAAAAAA"

    # migrate puts the guard back (post_migrate), even with nothing to migrate.
    run(cli_env, "migrate", "--no-input")
    db = sqlite3.connect(cli_env["DATABASE_URL"].removeprefix("sqlite:///"))
    db.execute("UPDATE bookings_booking SET status = 'cancelled' WHERE reference = 'IK-BBBBBBBB'")
    db.commit()
    db.close()
    assert run(cli_env, "bookings", "verify").returncode == 0


def test_production_settings_pass_check_deploy(cli_env):
    prod = {
        **cli_env,
        "DEBUG": "false",
        "HTTPS": "true",
        "ALLOWED_HOSTS": "book.example.com",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",
    }
    result = run(prod, "check", "--deploy", "--fail-level", "WARNING")
    assert "no issues" in result.stdout
    insecure = run(
        {**prod, "HTTPS": "false"}, "check", "--deploy", "--fail-level", "WARNING", check=False
    )
    assert insecure.returncode != 0 and "SECURE_SSL_REDIRECT" in insecure.stderr + insecure.stdout
    # Mail written to files is a development backend; production must name an SMTP server.
    no_smtp = {k: v for k, v in prod.items() if k != "EMAIL_URL"}
    dev_mail = run(no_smtp, "check", "--deploy", "--fail-level", "WARNING", check=False)
    assert dev_mail.returncode != 0 and "mail.E001" in dev_mail.stderr


def test_unknown_subcommand_fails_with_a_message(cli_env):
    result = run(cli_env, "bookings", "frobnicate", check=False)
    assert result.returncode != 0
    assert "invalid choice" in result.stderr
