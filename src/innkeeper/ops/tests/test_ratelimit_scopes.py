"""The rate-limit scopes are listed once (ops/ratelimit/scopes.py); settings, the operator
commands and the documented environment all follow that table."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from innkeeper.ops.ratelimit.operator import ACCOUNT_SCOPES, IP_SCOPES, USER_SCOPES
from innkeeper.ops.ratelimit.scopes import SCOPES

ENV_EXAMPLE = Path(__file__).resolve().parents[4] / ".env.example"
NOT_SCOPES = {"RATE_LIMITS_ENABLED", "RATE_LIMIT_KEY_PREFIX"}


def test_every_scope_has_a_setting_and_a_documented_default():
    assert set(settings.RATE_LIMITS) == set(SCOPES)
    documented = dict(re.findall(r"^# (RATE_LIMITS?_[A-Z_]+)=(\S+)", ENV_EXAMPLE.read_text(), re.M))
    for name in NOT_SCOPES:
        documented.pop(name, None)
    assert documented == {f"RATE_LIMIT_{n.upper()}": s.default for n, s in SCOPES.items()}


def test_the_operator_finds_each_scope_by_whose_counters_it_keeps():
    assert {"api", "booking_create", "booking_change"} <= set(USER_SCOPES)
    assert {"api", "login_ip", "register", "booking_create_ip", "password_reset"} <= set(IP_SCOPES)
    assert {"login_failures", "password_reset_account"} <= set(ACCOUNT_SCOPES)
