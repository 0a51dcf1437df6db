"""Issue 12 findings 9 and 10: files innkeeper writes are private, backups carry no session
keys, and backup manifests are not trusted (paths stay in BACKUP_DIR, the HMAC must match)."""

from __future__ import annotations

import gzip
import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from innkeeper.bookings.models import Booking
from innkeeper.ops.backups.manifest import data_path, find_backup, manifest_mac, sha256_of
from innkeeper.ops.backups.postgres import pg_tool, server_major
from innkeeper.ops.backups.services import backup_run
from innkeeper.testing.cli import innkeeper

HMAC_KEY = "test-backup-hmac-key-0123456789abcdef"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def signed(settings: Any, backup_dir: Path) -> Path:
    """BACKUP_DIR with an explicit HMAC key, shared by this process and its children."""
    settings.BACKUP_HMAC_KEY = HMAC_KEY
    return backup_dir


def backup_cli(folder: Path, *args: str) -> Any:
    return innkeeper("backup", *args, BACKUP_DIR=str(folder), BACKUP_HMAC_KEY=HMAC_KEY)


def write_signed(folder: Path, data: dict[str, Any], name: str | None = None) -> Path:
    """A manifest whose HMAC is right: what is refused is refused for its paths alone."""
    data["hmac"] = manifest_mac(data)
    path = folder / (name or f"{data['id']}.json")
    path.write_text(json.dumps(data))
    return path


@pytest.mark.django_db(transaction=True)
def test_backups_and_manifests_are_private_whatever_the_umask(signed, make_booking):
    make_booking()
    old = os.umask(0o022)  # what a shell usually has: files 0644, folders 0755
    try:
        run = backup_cli(signed, "run", "--json")
    finally:
        os.umask(old)
    assert run.returncode == 0, run.stderr
    manifest = json.loads(run.stdout)
    assert mode(signed) == 0o700
    assert mode(signed / manifest["file"]) == 0o600
    assert mode(signed / f"{manifest['id']}.json") == 0o600
    assert not list(signed.glob("*.tmp")) and not list(signed.glob("*.partial"))


def test_var_dir_sqlite_wal_and_mail_spool_are_private(tmp_path):
    var = tmp_path / "var"
    db = var / "site.sqlite3"
    probe = (
        "import os; from django.db import connection; from django.core import mail;"
        "c = connection.cursor(); c.execute('CREATE TABLE t (x)');"
        "c.execute('INSERT INTO t VALUES (1)');"
        f"print(oct(os.stat('{db}').st_mode & 0o777), oct(os.stat('{db}-wal').st_mode & 0o777));"
        "mail.send_mail('s', 'b', 'from@example.com', ['to@example.com'])"
    )
    old = os.umask(0o022)
    try:
        done = innkeeper(
            "shell",
            "-c",
            probe,
            INNKEEPER_VAR_DIR=str(var),
            DATABASE_URL=f"sqlite:///{db}",
            EMAIL_URL="filemail://",
        )
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].split() == ["0o600", "0o600"]  # the database and its WAL
    assert mode(var) == 0o700
    assert mode(var / "secret_key") == 0o600
    spool = var / "mail"
    assert mode(spool) == 0o700
    messages = list(spool.iterdir())
    assert messages and all(mode(path) == 0o600 for path in messages)


def backup_content(path: Path) -> bytes:
    """The bytes a backup holds: the SQLite file, or pg_restore's SQL text of the dump."""
    if connection.vendor == "sqlite":
        return gzip.decompress(path.read_bytes())
    tool, _ = pg_tool("pg_restore", server_major())
    return subprocess.run([tool, "--file=-", str(path)], capture_output=True, check=True).stdout


@pytest.mark.django_db(transaction=True)
def test_backups_carry_no_session_keys(signed, make_booking):
    make_booking()
    session = SessionStore()
    session["secret"] = "logged-in"
    session.create()
    manifest = backup_run(actor="test")
    assert manifest.row_counts["django_session"] == 0
    content = backup_content(data_path(manifest))
    assert session.session_key is not None
    assert session.session_key.encode() not in content
    assert b"logged-in" not in content and manifest.row_counts["bookings_booking"] == 1
    assert backup_cli(signed, "verify", manifest.id).returncode == 0


@pytest.mark.django_db(transaction=True)
def test_manifests_pointing_outside_backup_dir_are_refused(signed, tmp_path, make_booking):
    make_booking()
    good = backup_run(actor="test", prune=False)
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "20200101-000000.sqlite3.gz"
    victim.write_bytes(data_path(good).read_bytes())
    base = {**good.as_dict(), "verification": None}
    write_signed(
        signed,
        {**base, "id": "20200101-000000", "file": "../outside/20200101-000000.sqlite3.gz"},
    )
    write_signed(signed, {**base, "id": "20200101-000001", "file": str(victim)})
    write_signed(signed, {**base, "id": "../outside/20200101-000002"}, name="20200101-000002.json")

    listing = backup_cli(signed, "list", "--json")
    assert [m["id"] for m in json.loads(listing.stdout)] == [good.id]
    assert listing.stderr.count("REFUSED") == 3, listing.stderr
    refused_ids = ("20200101-000000", "20200101-000001", "20200101-000002")
    for refused in refused_ids:
        verify = backup_cli(signed, "verify", refused)
        assert verify.returncode == 1 and "is refused" in verify.stderr, verify.stderr
        restore = backup_cli(signed, "restore", refused, "--yes")
        assert restore.returncode == 1 and "is refused" in restore.stderr, restore.stderr
    status = backup_cli(signed, "status")
    assert status.returncode == 1 and "manifest 20200101-000000.json refused" in status.stderr

    prune = innkeeper(
        "backup", "run", BACKUP_DIR=str(signed), BACKUP_HMAC_KEY=HMAC_KEY, BACKUP_KEEP="1"
    )
    assert prune.returncode == 0, prune.stderr
    assert victim.exists()  # prune never followed a manifest out of BACKUP_DIR
    assert find_backup().id not in refused_ids  # what the scheduled drill verifies


@pytest.mark.django_db(transaction=True)
def test_a_tampered_manifest_and_file_pair_fails_verify(signed, make_booking):
    make_booking()
    victim = backup_run(actor="test", prune=False)
    Booking.objects.all().delete()
    other = backup_run(actor="test", prune=False)
    # The attacker swaps in another (valid) backup and fixes checksum, size and row counts.
    data_path(victim).write_bytes(data_path(other).read_bytes())
    path = signed / f"{victim.id}.json"
    data = json.loads(path.read_text())
    data.update(sha256=sha256_of(data_path(victim)), size=other.size, row_counts=other.row_counts)
    path.write_text(json.dumps(data))

    verify = backup_cli(signed, "verify", victim.id)
    assert verify.returncode == 1, verify.stdout
    assert "HMAC does not match" in verify.stderr
    restore = backup_cli(signed, "restore", victim.id, "--yes")
    assert restore.returncode == 1 and "HMAC does not match" in restore.stderr
    wrong_key = innkeeper(
        "backup", "verify", other.id, BACKUP_DIR=str(signed), BACKUP_HMAC_KEY="another-key"
    )
    assert wrong_key.returncode == 1 and "HMAC does not match" in wrong_key.stderr
    assert backup_cli(signed, "verify", other.id).returncode == 0
