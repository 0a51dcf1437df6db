"""Who the client is for the blocklist and rate limits (issue 12, findings 3-5): forwarded
addresses only from trusted proxies, IPv4-mapped IPv6 as IPv4, IPv6 counted per /64, and
gates deciding on the routed path whatever the script name."""

from __future__ import annotations

import pytest
from django.test import Client

from innkeeper.ops.blocklist import ip_block
from innkeeper.ops.clientip import client_ip
from innkeeper.ops.maintenance import maintenance_enable, read_only_set
from innkeeper.ops.ratelimit.identity import client_ip as rate_key
from innkeeper.testing.ratelimit import assert_rate_limited

pytestmark = pytest.mark.django_db
ROOMS = "/api/v1/rooms"
LOAD_BALANCER = "10.0.0.7"


@pytest.fixture
def behind_proxy(settings):
    """BEHIND_PROXY=true with the load balancer's subnet trusted."""
    settings.TRUSTED_PROXIES = 1
    settings.TRUSTED_PROXY_IPS = ["10.0.0.0/24", "127.0.0.1/32"]
    return settings


def test_forwarded_for_is_ignored_from_a_peer_that_is_not_a_trusted_proxy(rf, behind_proxy):
    spoofed = rf.get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_ip(spoofed) == "198.51.100.9"
    relayed = rf.get("/", REMOTE_ADDR=LOAD_BALANCER, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5")
    assert client_ip(relayed) == "203.0.113.5"  # what our balancer saw, not the forged part


def test_default_trusted_proxies_are_loopback_only(rf, settings):
    settings.TRUSTED_PROXIES = 1
    assert settings.TRUSTED_PROXY_IPS == ["127.0.0.1/32", "::1/128"]
    local = rf.get("/", REMOTE_ADDR="::1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_ip(local) == "203.0.113.5"
    remote = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_ip(remote) == "10.0.0.1"


def test_two_hops_need_both_proxies_trusted(rf, behind_proxy):
    behind_proxy.TRUSTED_PROXIES = 2
    cdn_untrusted = rf.get(
        "/", REMOTE_ADDR=LOAD_BALANCER, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 192.0.2.40"
    )
    assert client_ip(cdn_untrusted) == "192.0.2.40"  # the CDN hop is not ours: it is the client
    behind_proxy.TRUSTED_PROXY_IPS = ["10.0.0.0/24", "192.0.2.0/24"]
    assert client_ip(cdn_untrusted) == "203.0.113.5"


def test_blocklist_holds_against_a_client_forging_forwarded_for(behind_proxy):
    ip_block(network="198.51.100.0/24", actor="ops@test")
    forged = Client().get(ROOMS, REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert forged.status_code == 403 and forged.json()["code"] == "ip_blocked"
    relayed = Client().get(ROOMS, REMOTE_ADDR=LOAD_BALANCER, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert relayed.status_code == 403


def test_api_rate_limit_holds_against_a_client_rotating_forwarded_for(rate_limits, behind_proxy):
    rate_limits.RATE_LIMITS = {**rate_limits.RATE_LIMITS, "api": "3/minute"}
    client = Client()
    for n in range(3):
        forged = f"192.0.2.{n + 1}"
        answer = client.get(ROOMS, REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=forged)
        assert answer.status_code == 200
    refused = client.get(ROOMS, REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert_rate_limited(refused, "api")


def test_ipv4_mapped_ipv6_matches_an_ipv4_block():
    ip_block(network="10.1.0.0/16", actor="ops@test")
    mapped = Client().get(ROOMS, REMOTE_ADDR="::ffff:10.1.2.3")
    assert mapped.status_code == 403 and mapped.json()["code"] == "ip_blocked"


def test_ipv4_mapped_forwarded_address_matches_an_ipv4_block(behind_proxy):
    ip_block(network="10.1.0.0/16", actor="ops@test")
    relayed = Client().get(ROOMS, REMOTE_ADDR=LOAD_BALANCER, HTTP_X_FORWARDED_FOR="::ffff:10.1.9.9")
    assert relayed.status_code == 403


def test_rate_limit_keys_count_ipv6_per_64_and_mapped_as_ipv4(rf):
    first = rf.get("/", REMOTE_ADDR="2001:db8:1:2::1")
    second = rf.get("/", REMOTE_ADDR="2001:db8:1:2:ffff:aaaa:bbbb:cccc")
    other = rf.get("/", REMOTE_ADDR="2001:db8:1:3::1")
    assert rate_key(first) == rate_key(second) == "2001:db8:1:2::/64"
    assert rate_key(other) != rate_key(first)
    assert rate_key(rf.get("/", REMOTE_ADDR="::ffff:192.0.2.7")) == "192.0.2.7"


def test_one_ipv6_64_shares_one_api_limit(rate_limits):
    rate_limits.RATE_LIMITS = {**rate_limits.RATE_LIMITS, "api": "3/minute"}
    client = Client()
    for n in range(3):
        assert client.get(ROOMS, REMOTE_ADDR=f"2001:db8:5:6::{n + 1:x}").status_code == 200
    assert_rate_limited(client.get(ROOMS, REMOTE_ADDR="2001:db8:5:6:9::9"), "api")
    assert client.get(ROOMS, REMOTE_ADDR="2001:db8:5:7::1").status_code == 200


@pytest.mark.parametrize("script_name", ["/up", "/api/health/live", "/ready"])
def test_gates_decide_on_the_routed_path_not_the_script_name(settings, script_name):
    """A server that takes SCRIPT_NAME from a client header makes `request.path` start with
    an exempt probe path; routing still serves the API, so the gates must still apply."""
    settings.FORCE_SCRIPT_NAME = None  # as if the server's SCRIPT_NAME were honoured
    maintenance_enable(actor="ops@test")
    walked = Client(SCRIPT_NAME=script_name).get(ROOMS)
    assert walked.status_code == 503 and walked.json()["code"] == "maintenance"


def test_read_only_and_rate_limit_also_ignore_the_script_name(settings, rate_limits):
    settings.FORCE_SCRIPT_NAME = None
    rate_limits.RATE_LIMITS = {**rate_limits.RATE_LIMITS, "api": "2/minute"}
    client = Client(SCRIPT_NAME="/up")
    assert client.get(ROOMS).status_code == 200
    assert client.get(ROOMS).status_code == 200
    assert_rate_limited(client.get(ROOMS), "api")
    read_only_set(enabled=True, actor="ops@test")
    login = client.post("/api/v1/bookings", "{}", content_type="application/json")
    assert login.status_code == 503 and login.json()["code"] == "read_only"


def test_a_script_name_from_the_server_is_not_honoured_by_default(client):
    maintenance_enable(actor="ops@test")
    assert Client(SCRIPT_NAME="/up").get(ROOMS).status_code == 503
    assert client.get("/upload-anything").status_code == 503  # "/up" is exact, not a prefix
