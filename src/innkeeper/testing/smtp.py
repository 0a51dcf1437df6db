"""A real SMTP server (aiosmtpd) on a free local port that records what it accepts."""

from __future__ import annotations

import asyncio
import email
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from innkeeper.testing.ports import free_port


class RecordingHandler:
    """Keeps every accepted message. `hold_next` makes the next DATA hang (the client is
    mid-conversation) until `release` is set; that message is then refused with a 451."""

    def __init__(self, delay: float = 0.0) -> None:
        self.messages: list[EmailMessage] = []
        self.delay = delay
        self.hold_next = False
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.hold_next:
            self.hold_next = False
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 4.3.0 Try again later"
        if self.delay:
            await asyncio.sleep(self.delay)
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=default_policy)
        with self.lock:
            self.messages.append(message)
        return "250 OK"


class SmtpServer:
    """A real SMTP server on a fixed local port that a test can stop and start again."""

    def __init__(self, port: int, handler: RecordingHandler) -> None:
        self.port = port
        self.handler = handler
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port(), RecordingHandler())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(settings: Any, smtp_server: SmtpServer) -> SmtpServer:
    """Point this process's email settings at the test SMTP server."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "timeout": 5},
        }
    }
    return smtp_server
