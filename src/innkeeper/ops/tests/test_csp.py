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
