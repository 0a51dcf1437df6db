"""SENTRY_DSN: an unhandled error reaches a local HTTP endpoint standing in for Sentry, with no
token, magic link, cookie or configured secret in what is sent."""

from __future__ import annotations

import gzip
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from innkeeper.testing.processes import INNKEEPER, server_env

STRIPE_KEY = "sk_test_51SecretStripeKeyValue"
METRICS_TOKEN = "metrics-token-very-secret-123"
API_TOKEN = "api-token-very-secret-789"
SESSION = "sessionvalue-very-secret-000"

# Runs inside `innkeeper shell`: a real guest page fails while reading an emailed magic link.
# The secrets come from the environment: the script's own lines are sent as source context.
SCRIPT = """
import os
import sentry_sdk
from django.test import Client
from innkeeper.bookings import links as magic
from innkeeper.web.views import manage

from django.conf import settings

token = magic.signing.dumps({"ref": "ABCD1234", "email": "guest@example.com"}, salt=magic.SALT)

def explode(given):
    raise RuntimeError(f"cannot read link {given} with {settings.STRIPE_SECRET_KEY}")

manage.manage_booking = explode
bearer = "Bearer " + os.environ["TEST_API_TOKEN"]
client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=bearer)
client.cookies["sessionid"] = os.environ["TEST_SESSION"]
print("status", client.get(f"/manage/{token}/?utm=mail").status_code)
print("token", token)
sentry_sdk.flush(10)
"""


class FakeSentry(BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        FakeSentry.bodies.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def fake_sentry() -> Iterator[tuple[str, list[bytes]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSentry)
    FakeSentry.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://publickey@127.0.0.1:{server.server_address[1]}/42", FakeSentry.bodies
    finally:
        server.shutdown()


def test_errors_reach_sentry_scrubbed_of_tokens_links_and_secrets(
    tmp_path: Path, fake_sentry: tuple[str, list[bytes]]
):
    dsn, bodies = fake_sentry
    env = server_env(
        tmp_path,
        SENTRY_DSN=dsn,
        STRIPE_SECRET_KEY=STRIPE_KEY,
        METRICS_TOKEN=METRICS_TOKEN,
        TEST_API_TOKEN=API_TOKEN,
        TEST_SESSION=SESSION,
    )
    subprocess.run([INNKEEPER, "migrate", "-v", "0"], env=env, check=True, timeout=120)
    result = subprocess.run(
        [INNKEEPER, "shell", "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "status 500" in result.stdout
    token = result.stdout.split("token ", 1)[1].split()[0]
    sent = b"\n".join(bodies).decode()
    assert "RuntimeError" in sent and "cannot read link" in sent
    assert "/manage/[Filtered]" in sent
    for secret in (
        token,
        token.rsplit(":", 1)[-1],
        STRIPE_KEY,
        API_TOKEN,
        SESSION,
        env["SECRET_KEY"],
    ):
        assert secret not in sent, sent[max(0, sent.find(secret) - 300) : sent.find(secret) + 50]


def test_without_a_dsn_nothing_is_initialised():
    import sentry_sdk

    assert not sentry_sdk.get_client().is_active()
