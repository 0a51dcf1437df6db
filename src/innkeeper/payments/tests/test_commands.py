"""`innkeeper payments reconcile` and `innkeeper smoke` as real subprocesses."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from innkeeper.accounts.models import Role
from innkeeper.conftest import PASSWORD, make_user
from innkeeper.flows.deposit_paid_then_confirm import payment_submit_then_confirm
from innkeeper.payments.models import Payment
from innkeeper.payments.services import payment_create
from innkeeper.payments.settle import PaymentProviderUnavailable
from innkeeper.testing.cli import database_url
from innkeeper.testing.ports import closed_port_url, free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
INNKEEPER = str(Path(sys.executable).parent / "innkeeper")


def database_env() -> dict[str, str]:
    """The environment that points a subprocess at this test's database."""
    return {**os.environ, "DATABASE_URL": database_url()}


def innkeeper(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [INNKEEPER, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_reconcile_command_settles_after_outage(
    policy, make_booking, guest, stripe_standin, settings
):
    booking = make_booking()
    settings.STRIPE_API_BASE = closed_port_url()
    payment = payment_create(
        reference=booking.reference, actor=guest, provider="stripe", purpose="deposit"
    )
    with pytest.raises(PaymentProviderUnavailable):
        payment_submit_then_confirm(payment_id=payment.pk, actor=None)
    env = {
        **database_env(),
        "STRIPE_SECRET_KEY": "sk_test_standin",
        "STRIPE_API_BASE": settings.STRIPE_API_BASE,
    }
    down = innkeeper("payments", "reconcile", env=env)
    assert down.returncode == 1
    assert "provider unreachable" in down.stderr
    env["STRIPE_API_BASE"] = stripe_standin.url
    up = innkeeper("payments", "reconcile", env=env)
    assert up.returncode == 0, up.stderr
    assert "checked 1, settled 0, failed 0, still open 1" in up.stdout
    assert Payment.objects.get().status == "requires_action"
    status = innkeeper("payments", "status", env=env)
    assert "requires_action" in status.stdout and "1 open payment(s)" in status.stdout


def test_smoke_against_a_running_server(room, hotel):
    make_user("smoke@example.com", Role.FRONT_DESK)
    env = database_env()
    port = free_port()
    server = subprocess.Popen(
        [INNKEEPER, "serve", "--port", str(port), "--threads", "4"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        ok = innkeeper(
            "smoke", "--url", url, "--email", "smoke@example.com", "--password", PASSWORD, env=env
        )
        assert ok.returncode == 0, ok.stdout + ok.stderr
        for step in (
            "login: ok",
            "search: ok",
            "book: ok",
            "pay: ok payment succeeded",
            "cancel: ok",
        ):
            assert step in ok.stdout
        bad = innkeeper(
            "smoke", "--url", url, "--email", "smoke@example.com", "--password", "wrong", env=env
        )
        assert bad.returncode == 1
        assert "[1/5] login: FAIL" in bad.stdout and "search" not in bad.stdout
        no_card = innkeeper(
            "smoke",
            "--url",
            url,
            "--email",
            "smoke@example.com",
            "--password",
            PASSWORD,
            "--provider",
            "stripe",
            env={**env, "STRIPE_SECRET_KEY": ""},
        )
        assert no_card.returncode == 1
        assert "[4/5] pay: FAIL" in no_card.stdout
        assert "payment_provider_not_configured" in no_card.stdout
        assert "clean-up: cancelled" in no_card.stdout
    finally:
        server.terminate()
        server.wait(timeout=30)
