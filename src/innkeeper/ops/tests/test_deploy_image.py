"""deploy/Dockerfile and its entry point. No container engine runs here, so the Dockerfile is
linted (hadolint) and checked against the repository, and the entry-point script runs for real
as a subprocess with the same `innkeeper` commands the image would run."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from innkeeper.testing.ports import free_port
from innkeeper.testing.processes import server_env, wait_until

ROOT = Path(__file__).resolve().parents[4]
DEPLOY = ROOT / "deploy"
ENTRYPOINT = DEPLOY / "docker-entrypoint.sh"
VENV_BIN = Path(sys.executable).parent


def test_dockerfile_passes_hadolint():
    result = subprocess.run(
        [str(VENV_BIN / "hadolint"), "--failure-threshold", "info", str(DEPLOY / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_as_non_root_from_the_lock_file_with_a_live_healthcheck():
    text = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM \S+ AS (\w+)", text, flags=re.MULTILINE)
    assert stages == ["build", "runtime"]
    runtime = text.split("AS runtime", 1)[1]
    # Build tools and pip's downloads stay in the build stage.
    assert "--require-hashes" in text and "requirements/lock.txt" in text
    assert "pip install" not in runtime and "build-essential" not in text
    assert re.search(r"^USER 10001:10001$", runtime, flags=re.MULTILINE)
    assert "/api/health/live" in runtime.split("HEALTHCHECK", 1)[1]
    assert 'ENTRYPOINT ["docker-entrypoint.sh"]' in runtime
    # Every file the image copies from the repository exists (the lock file comes from
    # `make lock`; see requirements/).
    for source in re.findall(r"^COPY (?:--chmod=\S+ )?(?!--from)(\S+) ", text, re.MULTILINE):
        if source != "requirements/lock.txt":
            assert (ROOT / source).exists(), source
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text()
    assert "!requirements/lock.txt" in ignore and "!deploy/docker-entrypoint.sh" in ignore


def entrypoint(
    env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def image_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What the image sets: innkeeper on PATH, a data directory, an SQLite database."""
    tmp = tmp_path_factory.mktemp("image")
    env = server_env(tmp, MIGRATION_WAIT_SECONDS="2")
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_entrypoint_waits_for_migrations_then_migrates_and_checks(image_env):
    waiting = entrypoint(image_env, "wait-for-migrations")
    assert waiting.returncode == 1
    assert "migrations still pending after 2 s" in waiting.stderr

    migrated = entrypoint(image_env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "Applying bookings.0001" in migrated.stdout

    ready = entrypoint(image_env, "wait-for-migrations")
    assert ready.returncode == 0 and "migrations applied" in ready.stdout
    # Anything else is an innkeeper command.
    checked = entrypoint(image_env, "check")
    assert checked.returncode == 0 and "no issues" in checked.stdout


def test_entrypoint_release_refuses_a_development_configuration(image_env):
    dev = entrypoint(image_env, "release")
    assert dev.returncode != 0
    assert "security.W004" in dev.stderr  # no HSTS: not a production configuration
    production = dict(
        image_env,
        HTTPS="true",
        SECRET_KEY="k" + "".join(chr(ord("a") + i % 26) + str(i) for i in range(40)),
        EMAIL_URL="smtp+tls://user:pw@smtp.example.com:587",
        ALLOWED_HOSTS="book.example.com",
    )
    released = entrypoint(production, "release")
    assert released.returncode == 0, released.stderr


def test_entrypoint_rejects_an_option_as_role(image_env):
    result = entrypoint(image_env, "--workers")
    assert result.returncode == 64
    assert "is an option, not a role" in result.stderr


def test_entrypoint_web_role_serves_http_and_stops_on_sigterm(image_env):
    entrypoint(image_env, "migrate")
    port = free_port()
    process = subprocess.Popen(
        ["sh", str(ENTRYPOINT), "web"],
        env=dict(image_env, HOST="127.0.0.1", PORT=str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api/health/live"

    def live() -> bool:
        try:
            return requests.get(url, timeout=1).json() == {"status": "ok"}
        except requests.RequestException:
            return False

    try:
        assert wait_until(live, 30, 0.2), "the web role did not answer on PORT"
        # `exec`: the server is the process the container runtime signals.
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=20) is not None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
