"""Every response carries a strict Content-Security-Policy (issue 12, Also)."""

from __future__ import annotations

import pytest
from django.test import Client

from innkeeper.ops.maintenance import maintenance_enable

pytestmark = pytest.mark.django_db
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.parametrize(
    "path", ["/", "/search/", "/account/login/", "/desk/login/", "/admin/login/", "/api/v1/docs"]
)
def test_pages_forbid_inline_script_framing_and_foreign_origins(path):
    response = Client().get(path, headers=BROWSER)
    assert response.status_code in (200, 302)
    policy = _policy(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline': injected script cannot run
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"


def test_refusal_pages_and_api_answers_carry_it_too():
    maintenance_enable(actor="ops@test")
    page = Client().get("/", headers=BROWSER)
    assert page.status_code == 503 and "script-src 'self'" in page["Content-Security-Policy"]
    api = Client().get("/api/v1/rooms")
    assert api.status_code == 503 and "default-src 'self'" in api["Content-Security-Policy"]


def test_photos_on_another_origin_are_allowed_by_the_policy(tmp_path):
    """With S3 (or CDN) media, MEDIA_URL's origin joins img-src, or photos would be blocked."""
    import subprocess

    from innkeeper.testing.processes import VENV_BIN, server_env

    env = server_env(tmp_path)
    env.update(
        MEDIA_STORAGE_URL="s3://riad-photos/media",
        MEDIA_URL="https://cdn.example.net/media/",
        INNKEEPER_VAR_DIR=str(tmp_path),
    )
    code = "from django.conf import settings; print(' '.join(settings.SECURE_CSP['img-src']))"
    result = subprocess.run(
        [str(VENV_BIN / "innkeeper"), "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "https://cdn.example.net" in result.stdout.split()
