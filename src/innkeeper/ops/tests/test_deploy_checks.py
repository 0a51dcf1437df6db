"""`innkeeper check --deploy` reports innkeeper's own production settings (issue 12, Also)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.checks import Tags, run_checks

from innkeeper.testing.processes import INNKEEPER, server_env

STRONG_KEY = "Qm3v9Zp1Lw8Rt4Ys6Ux0Ha2Jd5Kf7Gc9Nb1Ve3Xi5Ol7Pu0Ar2Tq4Wy6Es8Dz"


def _ids(**kwargs) -> set[str]:
    return {message.id for message in run_checks(tags=[Tags.security], **kwargs) if message.id}


@pytest.fixture
def production(settings):
    settings.SECRET_KEY = STRONG_KEY
    settings.HTTPS = True
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_IPS = ["10.0.0.0/24"]
    return settings


def test_a_production_configuration_has_no_innkeeper_warnings(production):
    assert not {i for i in _ids(include_deployment_checks=True) if i.startswith("innkeeper.")}


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("SECRET_KEY", "change-me-" + "a" * 50, "innkeeper.W001"),
        ("SECRET_KEY", "short", "innkeeper.W001"),
        ("HTTPS", False, "innkeeper.W002"),
        ("MAILERS", {"default": {"BACKEND": "innkeeper.mail.filebased.EmailBackend"}}, "W003"),
        ("TRUSTED_PROXY_IPS", ["127.0.0.1/32"], "innkeeper.W004"),
        ("TRUSTED_PROXY_IPS", ["10.0.0.0/99"], "innkeeper.E004"),
        ("SERVER_HEADER_TIMEOUT", 600, "innkeeper.E005"),
        ("BACKUP_ENCRYPTION_KEY", "", "innkeeper.W006"),
    ],
)
def test_each_weak_setting_is_reported(production, setting, value, expected):
    setattr(production, setting, value)
    assert any(i.endswith(expected) for i in _ids(include_deployment_checks=True))


def test_deploy_only_warnings_stay_out_of_the_everyday_check(production):
    production.HTTPS = False
    assert "innkeeper.W002" not in _ids()


def test_the_cli_prints_the_warnings_with_their_fix(tmp_path: Path):
    env = server_env(tmp_path, SECRET_KEY="short", HTTPS="false", BEHIND_PROXY="true")
    result = subprocess.run(
        [INNKEEPER, "check", "--deploy"], env=env, capture_output=True, text=True, timeout=120
    )
    output = result.stdout + result.stderr
    for code in ("innkeeper.W001", "innkeeper.W002", "innkeeper.W003", "innkeeper.W004"):
        assert code in output, output
    assert "TRUSTED_PROXY_IPS" in output and "EMAIL_URL=smtp+tls://" in output
