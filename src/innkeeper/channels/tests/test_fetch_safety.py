"""The feed fetcher is not an SSRF proxy: only http(s), no private/loopback/link-local
addresses (each resolved address, each redirect hop), bounded time, size and redirects."""

from __future__ import annotations

import pytest

from innkeeper.channels.feeds import calendar_feed_add
from innkeeper.channels.fetch import FetchError, fetch_feed
from innkeeper.core.errors import InvalidInput
from innkeeper.testing import channel_calendars as cal


def refused(url: str) -> str:
    with pytest.raises(FetchError) as caught:
        fetch_feed(url)
    return caught.value.code


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.ics",
        "http://localhost/x.ics",
        "http://10.1.2.3/x.ics",
        "http://192.168.0.10/x.ics",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://[::1]/x.ics",
        "http://[::ffff:127.0.0.1]/x.ics",
        "http://0.0.0.0/x.ics",
        "http://100.64.0.1/x.ics",  # carrier-grade NAT
    ],
)
def test_private_and_local_addresses_are_refused_by_default(url):
    assert refused(url) == "feed_url_private"


def test_a_local_server_is_refused_until_the_setting_allows_it(settings, channel):
    url = channel.serve("/a.ics", cal.airbnb([]))
    assert refused(url) == "feed_url_private"
    assert channel.requests == []  # refused before connecting
    settings.CHANNEL_ALLOW_PRIVATE_URLS = True
    assert b"BEGIN:VCALENDAR" in fetch_feed(url).body


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/x.ics", "gopher://example.com/", "javascript:1"],
)
def test_only_http_and_https(url):
    assert refused(url) == "feed_url_scheme"


def test_every_redirect_hop_is_checked_and_counted(private_urls, channel):
    target = channel.serve("/final.ics", cal.airbnb([]))
    channel.serve("/hop", b"", status=302, location=target)
    assert fetch_feed(channel.url("/hop")).url == target
    # A hop to a non-http scheme is refused like a first URL would be.
    channel.serve("/to-file", b"", status=301, location="file:///etc/passwd")
    assert refused(channel.url("/to-file")) == "feed_url_scheme"
    # A loop: refused after CHANNEL_MAX_REDIRECTS.
    channel.serve("/loop", b"", status=302, location="/loop")
    assert refused(channel.url("/loop")) == "feed_redirects"
    assert len([path for path, _ in channel.requests if path == "/loop"]) == 4
    # (Hops to private addresses go through the same check as the first URL; a public first
    # hop cannot be served offline, so the private refusals are tested on first URLs above.)


def test_size_cap_and_slow_drip_are_cut_off(private_urls, settings, channel):
    settings.CHANNEL_MAX_FEED_BYTES = 4096
    assert refused(channel.serve("/big.ics", b"X" * 10_000)) == "feed_too_large"
    settings.CHANNEL_MAX_FEED_BYTES = 100_000
    settings.CHANNEL_FETCH_TIMEOUT_SECONDS = 0.3
    # Each chunk arrives within the read timeout, but the whole takes longer than 3 x it.
    slow = channel.serve("/slow.ics", b"Y" * 8000, drip_seconds=0.2)
    assert refused(slow) == "feed_timeout"
    # A pause longer than the read timeout.
    stalled = channel.serve("/stalled.ics", b"Z" * 3000, drip_seconds=0.6)
    assert refused(stalled) == "feed_timeout"


def test_unreachable_feed_is_a_clear_error(private_urls):
    from innkeeper.testing.ports import closed_port_url

    assert refused(closed_port_url() + "/x.ics") == "feed_unreachable"


@pytest.mark.django_db
def test_adding_a_feed_checks_the_url_and_the_channel_name(room):
    with pytest.raises(InvalidInput, match="Only http"):
        calendar_feed_add(room_id=room.pk, url="file:///etc/passwd", channel="X", actor_label="t")
    with pytest.raises(InvalidInput, match="channel"):
        calendar_feed_add(
            room_id=room.pk, url="https://a.example/x.ics", channel=" ", actor_label="t"
        )
