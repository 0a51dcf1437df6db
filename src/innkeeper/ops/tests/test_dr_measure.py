"""Smoke test of the RPO/RTO measurement (`python -m bench.dr`, README "Measured recovery
figures"): at the tiny size, the SQLite machine is lost and restored from the encrypted
off-site copy, and the report's figures hold together. The full-size run is a command, not a
test; the PostgreSQL recovery paths are tested by test_dr_drill.py and test_backup_pitr.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = [
    pytest.mark.slow,
    # It builds its own machine (SQLite file, var/, moto, key), not the pass's database:
    # once is enough, in the SQLite pass.
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")), reason="engine-independent; runs in the SQLite pass"
    ),
]


TINY_SQLITE = ("--size", "tiny", "--only", "sqlite", "--write-seconds", "5")


def test_the_measurement_loses_and_restores_a_machine_and_reports(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bench.dr", *TINY_SQLITE, "--out", str(tmp_path)],
        cwd=settings.PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (report,) = tmp_path.glob("dr-*.json")
    (run,) = json.loads(report.read_text())["engines"]
    assert run["data"]["bookings"] > 300 and run["verify"].startswith("OK")
    assert 0 < run["restore_seconds"] <= run["rto_seconds"] < 15 * 60
    assert run["bookings_made_during_drill"] > run["bookings_lost"] > 0  # some came back
    assert run["lost_only_after_newest_kept"] is True
    assert run["backup_bytes"] > 0
    assert "| SQLite, encrypted copy from off-site |" in done.stdout
