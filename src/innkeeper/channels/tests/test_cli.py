"""`innkeeper channels export-url` in a real subprocess against the test database."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client

from innkeeper.core.models import AuditEvent
from innkeeper.testing.jobs import child_env, innkeeper

SITE = "https://riad.example"


@pytest.mark.django_db(transaction=True)
def test_export_url_issues_refuses_to_reissue_and_rotates(room, make_booking, today):
    make_booking(check_in=today + timedelta(days=3), check_out=today + timedelta(days=5))
    env = child_env(SITE_URL=SITE)

    issued = innkeeper("channels", "export-url", str(room.pk), env=env)
    assert issued.returncode == 0, issued.stderr
    url = issued.stdout.strip()
    assert url.startswith(f"{SITE}/calendar/") and url.endswith(".ics")
    assert "paste it into each channel" in issued.stderr
    old_path = urlsplit(url).path
    assert Client().get(old_path).status_code == 200

    again = innkeeper("channels", "export-url", str(room.pk), env=env)
    assert again.returncode == 1 and "pass --rotate" in again.stderr
    assert again.stdout == ""

    rotated = innkeeper("channels", "export-url", str(room.pk), "--rotate", env=env)
    assert rotated.returncode == 0, rotated.stderr
    new_path = urlsplit(rotated.stdout.strip()).path
    assert new_path != old_path
    assert Client().get(old_path).status_code == 404
    assert b"SUMMARY:Reserved" in Client().get(new_path).content
    assert AuditEvent.objects.filter(
        action="channels.export_rotated", target=f"room:{room.pk}", source="cli"
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_export_url_for_a_room_type_and_helpful_errors(room):
    env = child_env(SITE_URL=SITE)
    by_type = innkeeper("channels", "export-url", "--room-type", str(room.room_type_id), env=env)
    assert by_type.returncode == 0, by_type.stderr
    assert f"room_type:{room.room_type_id}" in by_type.stderr
    assert Client().get(urlsplit(by_type.stdout.strip()).path).status_code == 200

    unknown = innkeeper("channels", "export-url", "999999", env=env)
    assert unknown.returncode == 1 and "No room with id 999999" in unknown.stderr
    neither = innkeeper("channels", "export-url", env=env)
    assert neither.returncode == 2 and "ROOM_ID or --room-type" in neither.stderr

    no_site = dict(env)
    no_site.pop("SITE_URL")
    missing = innkeeper("channels", "export-url", str(room.pk), env=no_site)
    assert missing.returncode == 2 and "set SITE_URL" in missing.stderr
    # Refused before a token was issued: the room can still get its first URL.
    site = innkeeper("channels", "export-url", str(room.pk), "--site-url", SITE, env=no_site)
    assert site.returncode == 0, site.stderr
