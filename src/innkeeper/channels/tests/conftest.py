from collections.abc import Iterator

import pytest

from innkeeper.testing.calendar_server import CalendarServer, calendar_server
from innkeeper.testing.smtp import smtp_server, smtp_settings

__all__ = ["smtp_server", "smtp_settings"]


@pytest.fixture
def channel() -> Iterator[CalendarServer]:
    """A channel's calendar export on a local port (feeds on loopback need the setting)."""
    with calendar_server() as server:
        yield server


@pytest.fixture
def private_urls(settings):
    settings.CHANNEL_ALLOW_PRIVATE_URLS = True
    return settings
